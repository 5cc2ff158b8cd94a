import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';

async function start() {
  // The browser build for tests and demos installs a mocked IPC with a deterministic
  // dataset; the Tauri build never includes it (tree-shaken by the env check).
  if (import.meta.env.VITE_MOCK_IPC === '1') {
    const { installMock } = await import('./mock/install');
    installMock();
  }
  mount(App, { target: document.getElementById('app')! });
}

start();
