// Posts slow writes through the sync bridge, then ends without draining: naturally, or by process.exit().
// The writes must still land (the bridge drains at exit), and the process must end by itself.
import { SyncBridge } from '../../dist/runtime/remote/sync-bridge.js';

const [file, ending] = process.argv.slice(2);
const bridge = new SyncBridge({ module: new URL('./bridge-target.mjs', import.meta.url).href, factory: 'probe', args: ['child'] });
if (ending === 'after-call') console.log(bridge.call('label', [], 5000));
for (let i = 0; i < 3; i++) bridge.post('append', [file, `line ${i}`, 100 + 50 * i]);
console.log('posted');
if (ending === 'exit') process.exit(0);
