// Typed IPC layer: the only module that talks to the Tauri shell.
// Every command and event here is documented in ui/IPC.md; the shell implements exactly
// those. Commands take single-word argument names so that Tauri's camelCase/snake_case
// argument mapping never matters.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import { ask, open as openDialog, save as saveDialog } from '@tauri-apps/plugin-dialog';
import type {
  CardDetail,
  CardPage,
  CardsChanged,
  DeliveryFailedEvent,
  ImportReport,
  IngestProgress,
  ListCardsArgs,
  ListReceivedArgs,
  OverdueEvent,
  ReceivedPage,
  Settings,
  Source,
  TrustImportKind,
  TrustStore,
  VerifyResult,
} from './types';

/** Command names, so the mock and IPC.md cannot drift from the wrappers. */
export const COMMANDS = [
  'list_cards',
  'get_card',
  'list_received',
  'get_orphan',
  'list_accounts',
  'verify_file',
  'save_blob',
  'open_blob',
  'list_sources',
  'add_source',
  'add_demo_source',
  'remove_source',
  'set_source_paused',
  'get_ingest_status',
  'get_trust_store',
  'import_trust',
  'remove_trust_anchor',
  'get_settings',
  'set_settings',
] as const;
export type Command = (typeof COMMANDS)[number];

export const EVENTS = ['ingest-progress', 'cards-changed', 'sources-changed', 'delivery-failed', 'overdue'] as const;
export type EventName = (typeof EVENTS)[number];

function call<T>(cmd: Command, args?: Record<string, unknown>): Promise<T> {
  return invoke<T>(cmd, args);
}

// ---- Cards ---------------------------------------------------------------------

/** One window of cards, plus total and counts for the same filter. */
export const listCards = (args: ListCardsArgs) => call<CardPage>('list_cards', { args });
/** One sent (or received) card with receipts, verification, attachments and raw text. */
export const getCard = (id: number) => call<CardDetail>('get_card', { id });
/** Received messages and orphan receipts ("Ricevute" tab). */
export const listReceived = (args: ListReceivedArgs) => call<ReceivedPage>('list_received', { args });
/** A receipt that matches no sent message, shown as a detail. */
export const getOrphan = (id: number) => call<CardDetail>('get_orphan', { id });
/** Distinct account addresses, for the account filter. */
export const listAccounts = () => call<string[]>('list_accounts');

// ---- Verifier / blobs -------------------------------------------------------------

export const verifyFile = (paths: string[]) => call<VerifyResult>('verify_file', { paths });
/** Write a blob (attachment, extracted content) to `dest`. */
export const saveBlob = (token: string, dest: string) => call<void>('save_blob', { token, dest });
/** Open a blob with the system viewer (the shell writes it to a private temp file). */
export const openBlob = (token: string) => call<void>('open_blob', { token });

// ---- Sources ---------------------------------------------------------------------

export const listSources = () => call<Source[]>('list_sources');
export const addSource = (path: string) => call<Source>('add_source', { path });
export const addDemoSource = () => call<Source>('add_demo_source');
export const removeSource = (id: number) => call<void>('remove_source', { id });
export const setSourcePaused = (id: number, paused: boolean) => call<Source>('set_source_paused', { id, paused });
/** The scan under way, if any (so a reloaded window can show its progress). */
export const getIngestStatus = () => call<IngestProgress | null>('get_ingest_status');

// ---- Trust store -------------------------------------------------------------------

export const getTrustStore = () => call<TrustStore>('get_trust_store');
export const importTrust = (kind: TrustImportKind, paths: string[]) => call<ImportReport>('import_trust', { kind, paths });
export const removeTrustAnchor = (id: number) => call<void>('remove_trust_anchor', { id });

// ---- Settings ----------------------------------------------------------------------

export const getSettings = () => call<Settings>('get_settings');
export const setSettings = (patch: Partial<Settings>) => call<Settings>('set_settings', { patch });

// ---- Events -----------------------------------------------------------------------

function on<T>(name: EventName, cb: (payload: T) => void): Promise<UnlistenFn> {
  return listen<T>(name, (e) => cb(e.payload));
}

export const onIngestProgress = (cb: (p: IngestProgress) => void) => on('ingest-progress', cb);
export const onCardsChanged = (cb: (p: CardsChanged) => void) => on('cards-changed', cb);
export const onSourcesChanged = (cb: (p: Source[]) => void) => on('sources-changed', cb);
export const onDeliveryFailed = (cb: (p: DeliveryFailedEvent) => void) => on('delivery-failed', cb);
export const onOverdue = (cb: (p: OverdueEvent) => void) => on('overdue', cb);

/** True in the browser build with mocked IPC (no native drag-drop, file input instead). */
export const MOCK_IPC = import.meta.env.VITE_MOCK_IPC === '1';

/** Native file drops (Tauri webview drag-drop event gives paths). No-op in the mock. */
export async function onFileDrop(cb: (paths: string[]) => void): Promise<UnlistenFn> {
  if (MOCK_IPC) return () => {};
  const { getCurrentWebview } = await import('@tauri-apps/api/webview');
  return getCurrentWebview().onDragDropEvent((e) => {
    if (e.payload.type === 'drop') cb(e.payload.paths);
  });
}

// ---- Native dialogs (tauri-plugin-dialog) --------------------------------------------

export async function pickFolder(title: string): Promise<string | null> {
  const r = await openDialog({ directory: true, multiple: false, title });
  return typeof r === 'string' ? r : null;
}

export async function pickFiles(title: string, filters?: { name: string; extensions: string[] }[]): Promise<string[]> {
  const r = await openDialog({ directory: false, multiple: true, title, filters });
  if (r == null) return [];
  return Array.isArray(r) ? r : [r];
}

export async function pickSavePath(title: string, defaultPath: string): Promise<string | null> {
  const r = await saveDialog({ title, defaultPath });
  return r ?? null;
}

/** A native yes/no question (window.confirm is not reliable in every webview). */
export async function askUser(message: string, title: string, okLabel: string, cancelLabel: string): Promise<boolean> {
  return ask(message, { title, kind: 'warning', okLabel, cancelLabel });
}
