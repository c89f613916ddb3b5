// Stylesheets imported for their effect: vite bundles them into the page's CSS file.
declare module '*.css';
