// Builds the browser app from client/ into dist/client, which the server serves; `vite` alone runs
// a dev server that forwards the API, lesson images and both socket.io namespaces to kubelab on :3000.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const server = 'http://localhost:3000';

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': server,
      '/lessons': server,
      '/healthz': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
