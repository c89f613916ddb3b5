import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP port forwarding to another, which a test can take down (connections refused) and bring back. */
export interface TcpForwarder {
  port: number;
  /** Closes the port and cuts every open connection: the server behind it looks gone. */
  down(): Promise<void>;
  /** Listens on the same port again. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function forwardTo(targetPort: number): Promise<TcpForwarder> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number): Promise<number> => new Promise((resolve, reject) => {
    server = createServer(client => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket)).on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    server.once('error', reject).listen(port, '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
  });
  const port = await listen(0);
  const down = (): Promise<void> => new Promise(resolve => {
    for (const socket of sockets) socket.destroy();
    if (!server) return resolve();
    server.close(() => resolve());
    server = undefined;
  });
  return { port, down, up: async () => void (await listen(port)), close: down };
}
