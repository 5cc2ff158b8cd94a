// Installs the mocked IPC in the browser build (VITE_MOCK_IPC=1): every `invoke` goes to
// MockBackend, events go through the mocked event plugin, and the dialog plugin answers
// with fixed paths. Tests can tune it before load through `window.__CARTOLINA_MOCK__`
// and drive it afterwards through `window.__cartolinaMock`.
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { MockBackend, type MockOptions } from './backend';

declare global {
  interface Window {
    __CARTOLINA_MOCK__?: MockOptions;
    __cartolinaMock?: {
      backend: MockBackend;
      emit: (event: string, payload: unknown) => Promise<void>;
      calls: { cmd: string; ms: number }[];
      answer?: boolean;
    };
  }
}

export function installMock(): MockBackend {
  const params = new URLSearchParams(location.search);
  const opts: MockOptions = { ...(window.__CARTOLINA_MOCK__ ?? {}) };
  if (params.has('preloaded')) opts.preloaded = true;
  if (params.has('lang')) opts.language = params.get('lang') === 'en' ? 'en' : 'it';
  const send = (event: string, payload: unknown) => emit(event, payload);
  const backend = new MockBackend(opts, (e, p) => {
    void send(e, p);
  });
  const calls: { cmd: string; ms: number }[] = [];
  mockIPC(
    (cmd, args) => {
      const a = (args ?? {}) as Record<string, any>;
      if (cmd === 'plugin:dialog|open') {
        const o = a.options ?? {};
        if (o.directory) return '/home/avvocato/Posta/PEC';
        return o.multiple ? ['/home/avvocato/Scaricati/TSL-IT.xml'] : '/home/avvocato/Scaricati/TSL-IT.xml';
      }
      if (cmd === 'plugin:dialog|message') {
        // ask()/confirm(): answer with the OK button (tests can set __cartolinaMock.answer = false).
        const b = a.buttons;
        const ok = b && typeof b === 'object' ? (Object.values(b)[0] as string[] | string) : 'Yes';
        const label = Array.isArray(ok) ? ok[0] : ok;
        return window.__cartolinaMock?.answer === false ? (Array.isArray(ok) ? ok[1] : 'No') : label;
      }
      if (cmd === 'plugin:dialog|save') return `/home/avvocato/Documenti/${a.options?.defaultPath ?? 'file'}`;
      const t0 = performance.now();
      const out = backend.handle(cmd, a);
      calls.push({ cmd, ms: performance.now() - t0 });
      if (calls.length > 2000) calls.splice(0, 1000);
      return out;
    },
    { shouldMockEvents: true },
  );
  window.__cartolinaMock = { backend, emit: send, calls };
  return backend;
}
