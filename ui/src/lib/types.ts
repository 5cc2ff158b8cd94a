// Types shared by the UI and the Tauri shell. Every name here is part of the IPC
// contract documented in ui/IPC.md: the shell serialises exactly these shapes (serde,
// snake_case fields, kebab/snake-case enum values as written below).

/** Card state, as `cartolina status --json` spells it (crates/archive/src/cards.rs). */
export type CardState =
  | 'all-delivered'
  | 'partially-delivered'
  | 'failed'
  | 'pending'
  | 'overdue'
  | 'not-accepted'
  | 'received';

/** Per-recipient state. `received` / `listed` appear only on received cards. */
export type RecipientState =
  | 'delivered'
  | 'failed'
  | 'warned'
  | 'pending'
  | 'overdue'
  | 'not-provable'
  | 'received'
  | 'listed';

export type RecipientType = 'certificato' | 'esterno';

export interface Recipient {
  address: string;
  type: RecipientType;
  state: RecipientState;
  /** RFC 3339 time of the receipt that decided the state, if any. */
  at: string | null;
  /** Reason of a failure (daticert `errore-esteso`), if any. */
  error: string | null;
}

export interface Card {
  id: number;
  message_id: string | null;
  identificativo: string | null;
  subject: string | null;
  sender: string | null;
  account: string | null;
  /** RFC 3339 (UTC or with offset). */
  sent_at: string | null;
  accepted_at: string | null;
  state: CardState;
  recipients: Recipient[];
  /** Every receipt of this card is provider-signed, intact and trusted. */
  proof_ok: boolean;
  /** Human-readable problems found while pairing (tampering, unsigned claims...). */
  problems: string[];
}

/** Filter values the UI offers; `failed` matches failed and partially-delivered cards. */
export type StateFilter = 'delivered' | 'failed' | 'pending' | 'overdue' | 'not-accepted';

export type SortOrder = 'newest' | 'oldest';

export interface ListCardsArgs {
  /** Free text (subject, sender, recipients, identificativo, message id). */
  query?: string;
  states?: StateFilter[];
  /** Inclusive start date `YYYY-MM-DD` (Europe/Rome day) on sent_at. */
  from?: string;
  /** Inclusive end date `YYYY-MM-DD` (Europe/Rome day) on sent_at. */
  to?: string;
  account?: string;
  sort: SortOrder;
  offset: number;
  limit: number;
}

export interface Counts {
  delivered: number;
  failed: number;
  pending: number;
  overdue: number;
}

export interface CardPage {
  /** Rows matching the whole filter (for the virtual list height). */
  total: number;
  /** Counts over the filter without its `states` part (so chips show what a click gives). */
  counts: Counts;
  rows: Card[];
}

// ---- Received ("Ricevute") ------------------------------------------------------

export type ReceivedKind = 'received' | 'orphan-receipt';

export interface ReceivedItem {
  /** Card id (kind `received`, open with get_card) or message id (kind
   * `orphan-receipt`, open with get_orphan). */
  id: number;
  kind: ReceivedKind;
  subject: string | null;
  /** Sender of the original (received) or the provider (orphan receipt). */
  sender: string | null;
  account: string | null;
  at: string | null;
  identificativo: string | null;
  /** For orphan receipts: the receipt kind (see ReceiptKind). */
  receipt_kind: ReceiptKind | null;
  /** For orphan receipts: the Message-ID they refer to, which no sent copy matches. */
  refers_to: string | null;
  proof_ok: boolean;
  problems: string[];
}

export interface ListReceivedArgs {
  query?: string;
  kind?: ReceivedKind;
  from?: string;
  to?: string;
  account?: string;
  sort: SortOrder;
  offset: number;
  limit: number;
}

export interface ReceivedPage {
  total: number;
  rows: ReceivedItem[];
}

// ---- Signature report (crates/verify/src/verdict.rs) ------------------------------

export type Integrity = 'intact' | 'broken' | 'unsigned' | 'detached';
export type TrustStatus = 'trusted' | 'untrusted' | 'indeterminate';
export type Revocation = 'not_checked' | 'good' | 'revoked';

export interface Trust {
  status: TrustStatus;
  reason: string;
  /** Subjects from the signer up to and including the anchor. */
  chain: string[];
  anchor: string | null;
  validation_time: string | null;
  validation_time_source?: 'signing_time' | 'caller' | 'now' | null;
  revocation: Revocation;
  /** Information that is not a failure (e.g. certificate expired since ...). */
  notes: string[];
}

export interface CertificateSummary {
  subject: string;
  common_name: string | null;
  organization: string | null;
  codice_fiscale: string | null;
  given_name: string | null;
  surname: string | null;
  issuer: string;
  issuer_common_name: string | null;
  serial: string;
  not_before: string;
  not_after: string;
  /** `YYYY-MM-DD` when expired by now: information, not an error. */
  expired_since: string | null;
  sha256_fingerprint: string;
}

export interface SignerReport {
  integrity: Integrity;
  integrity_reason: string | null;
  trust?: Trust;
  certificate: CertificateSummary | null;
  signing_time: string | null;
  digest_algorithm: string | null;
  signature_algorithm: string | null;
  weak_algorithm: boolean;
  warnings: string[];
}

export interface SignatureReport {
  status: Integrity;
  trust: Trust;
  signers: SignerReport[];
  content_type?: string;
  weak_algorithm: boolean;
  warnings: string[];
}

// ---- Card detail -----------------------------------------------------------------

export type ReceiptKind =
  | 'acceptance'
  | 'non-acceptance'
  | 'taking-charge'
  | 'delivery'
  | 'delivery-error'
  | 'delivery-warning'
  | 'virus-detected'
  | 'transport'
  | 'anomaly'
  | 'unsigned-claim';

export interface DaticertRecipient {
  address: string;
  type: RecipientType;
}

/** daticert.xml as serialised by crates/pec (`pec::Daticert`, field names follow the XML). */
export interface Daticert {
  /** accettazione, avvenuta-consegna, errore-consegna, ... */
  tipo: string;
  /** nessuno, no-dest, no-dominio, virus, altro */
  errore: string;
  mittente: string;
  destinatari: DaticertRecipient[];
  risposte: string | null;
  oggetto: string | null;
  gestore_emittente: string;
  /** `data` (giorno + ora + @zona) as one RFC 3339 instant with its offset. */
  data: string;
  identificativo: string;
  msgid: string;
  ricevuta: 'completa' | 'breve' | 'sintetica' | null;
  consegna: string | null;
  errore_esteso: string | null;
}

/** A header value that disagrees with the signed daticert (possible tampering).
 * `field` is the daticert element name (tipo, msgid, identificativo, mittente, ...). */
export interface Inconsistency {
  field: string;
  header: string | null;
  daticert: string | null;
}

/** Bytes the shell keeps (an attachment, extracted content) and can save or open. */
export interface BlobRef {
  /** Opaque token for save_blob / open_blob. */
  token: string;
  name: string;
  size: number;
  mime: string;
}

export interface Receipt {
  id: number;
  kind: ReceiptKind;
  /** Where the message is stored (path, or path#offset inside an mbox). */
  file: string;
  /** The recipient a delivery receipt is for. */
  recipient: string | null;
  /** RFC 3339 time from the signed daticert. */
  at: string | null;
  subject: string | null;
  daticert: Daticert | null;
  inconsistencies: Inconsistency[];
  signature: SignatureReport;
  /** Raw message source as text (may be truncated by the shell, see raw_truncated). */
  raw: string;
  raw_truncated: boolean;
  /** The receipt byte for byte, as the provider signed it, to save as `.eml`. */
  eml: BlobRef | null;
}

export interface CardDetail {
  card: Card;
  /** `sent`: one of our messages; `received`: a transport envelope in our inbox;
   * `orphan`: a receipt matching no sent copy. */
  origin: 'sent' | 'received' | 'orphan';
  receipts: Receipt[];
  /** Attachments of the original message. */
  attachments: BlobRef[];
  /** Plain-text body of the original, when there is one. */
  body_text: string | null;
  /** HTML body of the original, untrusted: the UI sanitises it and never runs it. */
  body_html: string | null;
  /** Raw source of the original message as text. */
  raw: string;
  raw_truncated: boolean;
  /** The original message byte for byte, to save as `.eml` (null: none archived). */
  eml: BlobRef | null;
}

// ---- Verifier --------------------------------------------------------------------

export type VerifyKind = 'p7m' | 'p7s' | 'eml' | 'pec-receipt' | 'pec-transport' | 'unknown';

export interface VerifyResult {
  kind: VerifyKind;
  /** The input paths as given. */
  files: string[];
  /** One report per signature level (nested .p7m.p7m has two, outermost first). */
  reports: SignatureReport[];
  /** For PEC messages: the daticert and its header cross-check. */
  daticert: Daticert | null;
  inconsistencies: Inconsistency[];
  /** Extracted signed content (the innermost document) when there is one. */
  content: BlobRef | null;
  /** A text preview of the content, when it is text (first 64 KiB). */
  content_preview: string | null;
  /** Why the file could not be read at all, if so. */
  error: string | null;
}

// ---- Sources, trust store, settings ------------------------------------------------

export type SourceKind = 'maildir' | 'mbox' | 'eml-folder' | 'thunderbird' | 'demo';
export type SourceStatus = 'scanning' | 'watching' | 'paused' | 'error';

export interface Source {
  id: number;
  path: string;
  kind: SourceKind;
  status: SourceStatus;
  messages: number;
  last_scan: string | null;
  error: string | null;
}

export interface TrustAnchor {
  id: number;
  subject: string;
  common_name: string | null;
  not_after: string;
  sha256_fingerprint: string;
  origin: 'bundled' | 'user' | 'tsl';
}

export interface CrlInfo {
  id: number;
  issuer: string;
  this_update: string;
  next_update: string | null;
  entries: number;
}

export interface TslInfo {
  territory: string;
  /** The list's sequence number, when the shell reads it (null: not read). */
  sequence_number: number | null;
  issue_date: string;
  next_update: string | null;
  services: number;
}

export interface TrustStore {
  anchors: TrustAnchor[];
  crls: CrlInfo[];
  tsl: TslInfo | null;
}

export type TrustImportKind = 'certificate' | 'crl' | 'tsl';

export interface ImportReport {
  added: number;
  skipped: number;
  errors: string[];
}

export type Language = 'it' | 'en';

export interface Settings {
  language: Language;
  archive_dir: string;
  /** Desktop notifications for delivery failures / overdue messages. */
  notifications: boolean;
}

// ---- Events ------------------------------------------------------------------------

export type IngestPhase = 'scanning' | 'parsing' | 'verifying' | 'pairing' | 'done';

export interface IngestProgress {
  done: number;
  total: number;
  phase: IngestPhase;
  source_id?: number | null;
}

export interface CardsChanged {
  /** Cards added or changed; empty means "anything may have changed". */
  ids: number[];
}

export interface DeliveryFailedEvent {
  card_id: number;
  subject: string | null;
  recipient: string;
  error: string | null;
  at: string | null;
}

export interface OverdueEvent {
  card_id: number;
  subject: string | null;
  recipient: string;
  sent_at: string | null;
}
