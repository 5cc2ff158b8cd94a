import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { prefetchFirstPage } from './lib/prefetch';

async function start() {
  // Start-up marks (User Timing), read by the app benchmark (tests/app-e2e/bench.mjs).
  performance.mark('cartolina:script', { detail: { epoch: Date.now() } });
  // The browser build for tests and demos installs a mocked IPC with a deterministic
  // dataset; the Tauri build never includes it (tree-shaken by the env check).
  if (import.meta.env.VITE_MOCK_IPC === '1') {
    const { installMock } = await import('./mock/install');
    installMock();
  } else {
    prefetchFirstPage(50); // CardsView's PAGE
  }
  performance.mark('cartolina:mount', { detail: { epoch: Date.now() } });
  mount(App, { target: document.getElementById('app')! });
  performance.mark('cartolina:mounted', { detail: { epoch: Date.now() } });
}

start();
