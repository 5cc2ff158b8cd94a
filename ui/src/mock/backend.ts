// The mocked shell: implements every command of ui/IPC.md over the generated dataset.
// Pure TypeScript (no DOM), so unit tests can drive it directly.
import type {
  BlobRef,
  CardDetail,
  CardPage,
  Counts,
  Daticert,
  ImportReport,
  Inconsistency,
  IngestProgress,
  ListCardsArgs,
  ListReceivedArgs,
  Receipt,
  ReceiptKind,
  ReceivedPage,
  Settings,
  SignatureReport,
  Source,
  TrustStore,
  VerifyResult,
} from '../lib/types';
import { countBucket, emptyCounts, matchesStates } from '../lib/counts';
import { DAY, MOCK_NOW, PROVIDERS, generateCards, generateReceived, mulberry32, romeDayNumber, romeOffsetHours, type MockCard, type MockReceived } from './data';

export interface MockOptions {
  cards?: number;
  received?: number;
  orphans?: number;
  /** Start with the demo source already read (skips first launch). */
  preloaded?: boolean;
  /** Duration of the simulated initial scan. */
  ingestMs?: number;
  language?: 'it' | 'en';
}

type Emit = (event: string, payload: unknown) => void;

const CHAIN = {
  aruba: 'CN=Posta Certificata Aruba PEC S.p.A.,O=Aruba PEC S.p.A.,C=IT',
  infocert: 'CN=Posta Certificata InfoCert,O=InfoCert S.p.A.,C=IT',
  namirial: 'CN=Posta Certificata Namirial,O=Namirial S.p.A.,C=IT',
  poste: 'CN=Posta Certificata Poste Italiane,O=Poste Italiane S.p.A.,C=IT',
  agid: "CN=AgID CA1,O=Agenzia per l'Italia Digitale,C=IT",
  actalis: 'CN=Actalis Authentication Root CA,O=Actalis S.p.A./03358520967,L=Milan,C=IT',
  arubaOld: 'CN=ArubaPEC S.p.A. NG CA 3,OU=Certification AuthorityC,O=ArubaPEC S.p.A.,C=IT',
};
const SIGNERS = [CHAIN.aruba, CHAIN.infocert, CHAIN.namirial, CHAIN.poste];

function cnOf(dn: string): string {
  return /CN=([^,]+)/.exec(dn)?.[1] ?? dn;
}

function hex(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
  return s;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface ReportSpec {
  signer: string;
  signingMs: number;
  integrity?: SignatureReport['status'];
  trust?: 'trusted' | 'untrusted' | 'indeterminate';
  seed: number;
  qualified?: { given: string; surname: string; cf: string };
  weak?: boolean;
}

/** A signature report shaped like crates/verify's JSON. */
export function makeReport(spec: ReportSpec): SignatureReport {
  const r = mulberry32(spec.seed);
  const integrity = spec.integrity ?? 'intact';
  const trust = spec.trust ?? 'trusted';
  const legacy = spec.signingMs < Date.parse('2017-06-01T00:00:00Z');
  const issuer = spec.qualified ? 'CN=ArubaPEC S.p.A. NG CA 3,OU=Certification AuthorityC,O=ArubaPEC S.p.A.,C=IT' : legacy ? CHAIN.arubaOld : CHAIN.agid;
  const notBefore = spec.signingMs - int(r, 30, 700) * DAY;
  const notAfter = notBefore + 3 * 365 * DAY;
  const expired = notAfter < MOCK_NOW;
  const subject = spec.qualified
    ? `CN=${spec.qualified.given} ${spec.qualified.surname},SN=${spec.qualified.surname},GN=${spec.qualified.given},serialNumber=TINIT-${spec.qualified.cf},C=IT`
    : spec.signer;
  const chain = trust === 'trusted' ? [subject, issuer, CHAIN.actalis] : trust === 'untrusted' ? [subject, 'CN=Sconosciuta CA,O=Ignota S.r.l.,C=IT'] : [subject];
  const reason =
    trust === 'trusted'
      ? `catena valida alla data della firma fino a ${cnOf(CHAIN.actalis)}`
      : trust === 'untrusted'
        ? 'la catena termina in una radice non presente nell’archivio di fiducia'
        : 'certificato emittente non disponibile: impossibile costruire la catena';
  const digest = spec.weak ? 'sha1' : 'sha256';
  const certificate = {
    subject,
    common_name: cnOf(subject),
    organization: spec.qualified ? null : (/O=([^,]+)/.exec(subject)?.[1] ?? null),
    codice_fiscale: spec.qualified?.cf ?? null,
    given_name: spec.qualified?.given ?? null,
    surname: spec.qualified?.surname ?? null,
    issuer,
    issuer_common_name: cnOf(issuer),
    serial: hex(r, 16).toUpperCase(),
    not_before: iso(notBefore),
    not_after: iso(notAfter),
    expired_since: expired ? iso(notAfter).slice(0, 10) : null,
    sha256_fingerprint: hex(r, 64),
  };
  const t = {
    status: trust,
    reason,
    chain,
    anchor: trust === 'trusted' ? CHAIN.actalis : null,
    validation_time: iso(spec.signingMs),
    validation_time_source: 'signing_time' as const,
    revocation: trust === 'trusted' && r() < 0.3 ? ('good' as const) : ('not_checked' as const),
    notes: [] as string[],
  };
  return {
    status: integrity,
    trust: t,
    signers: [
      {
        integrity,
        integrity_reason: integrity === 'broken' ? 'il digest del messaggio non corrisponde al contenuto firmato' : integrity === 'detached' ? 'firma separata: dati firmati non forniti' : null,
        trust: t,
        certificate,
        signing_time: iso(spec.signingMs),
        digest_algorithm: digest,
        signature_algorithm: 'rsa-pkcs1v15',
        weak_algorithm: !!spec.weak,
        warnings: [],
      },
    ],
    content_type: '1.2.840.113549.1.7.1',
    weak_algorithm: !!spec.weak,
    warnings: [],
  };
}

function int(r: () => number, lo: number, hi: number) {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function unsignedReport(): SignatureReport {
  return {
    status: 'unsigned',
    trust: { status: 'indeterminate', reason: 'nessuna firma', chain: [], anchor: null, validation_time: null, revocation: 'not_checked', notes: [] },
    signers: [],
    weak_algorithm: false,
    warnings: [],
  };
}

const ATTACHMENTS = [
  { name: 'Ricorso_firmato.pdf.p7m', mime: 'application/pkcs7-mime' },
  { name: 'Procura_alle_liti.pdf', mime: 'application/pdf' },
  { name: 'Fattura_elettronica.xml', mime: 'application/xml' },
  { name: 'Ricevuta_F24.pdf', mime: 'application/pdf' },
  { name: 'Verbale_assemblea.pdf', mime: 'application/pdf' },
  { name: 'Planimetria.jpg', mime: 'image/jpeg' },
];

const TIPO: Partial<Record<ReceiptKind, string>> = {
  acceptance: 'accettazione',
  'non-acceptance': 'non-accettazione',
  delivery: 'avvenuta-consegna',
  'delivery-error': 'errore-consegna',
  'delivery-warning': 'preavviso-errore-consegna',
  transport: 'posta-certificata',
};

const SUBJECT_PREFIX: Partial<Record<ReceiptKind, string>> = {
  acceptance: 'ACCETTAZIONE',
  'non-acceptance': 'AVVISO DI NON ACCETTAZIONE',
  delivery: 'CONSEGNA',
  'delivery-error': 'AVVISO DI MANCATA CONSEGNA',
  'delivery-warning': 'AVVISO DI MANCATA CONSEGNA (PREAVVISO)',
  transport: 'POSTA CERTIFICATA',
};

export class MockBackend {
  readonly cards: MockCard[];
  readonly received: MockReceived[];
  private hay: string[] | null = null;
  private recvHay: string[] | null = null;
  private cache: { key: string; rest: string; words: string[]; all: Int32Array; idx: Int32Array; counts: Counts } | null = null;
  private recvCache: { key: string; idx: Int32Array } | null = null;
  /** How many cards the (simulated) scan has made visible so far. */
  available: number;
  sources: Source[] = [];
  ingest: IngestProgress | null = null;
  settings: Settings;
  trust: TrustStore;
  blobs = new Map<string, BlobRef>();
  saved: { token: string; dest: string }[] = [];
  opened: string[] = [];
  private nextSource = 1;
  private timers: ReturnType<typeof setTimeout>[] = [];

  constructor(
    private opts: MockOptions = {},
    private emit: Emit = () => {},
  ) {
    this.cards = generateCards(opts.cards ?? 100_000);
    this.received = generateReceived(opts.received ?? 6_000, opts.orphans ?? 180);
    this.settings = { language: opts.language ?? 'it', archive_dir: '/home/avvocato/.local/share/cartolina/archivio', notifications: true };
    this.trust = {
      anchors: [
        { id: 1, subject: CHAIN.actalis, common_name: 'Actalis Authentication Root CA', not_after: '2030-09-22T11:22:02Z', sha256_fingerprint: '55926084ec963a64b96e2abe01ce0ba86a64fbfebcc7aab5afc155b37fd76066', origin: 'bundled' },
        { id: 2, subject: CHAIN.arubaOld, common_name: 'ArubaPEC S.p.A. NG CA 3', not_after: '2029-10-22T23:59:59Z', sha256_fingerprint: '0b1c8e3b5f2a8d1d6f4e7a2b9c0d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d', origin: 'bundled' },
        { id: 3, subject: 'CN=InfoCert Certification Authority 2,O=InfoCert S.p.A.,C=IT', common_name: 'InfoCert Certification Authority 2', not_after: '2027-04-01T00:00:00Z', sha256_fingerprint: '7d2f0c4e1a9b8c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d', origin: 'bundled' },
      ],
      crls: [],
      tsl: null,
    };
    // Build the search haystack off the critical path (a real archive has its FTS index).
    this.timers.push(setTimeout(() => this.haystack(), 300));
    if (opts.preloaded) {
      this.available = this.cards.length;
      this.sources = [this.demoSource('watching')];
    } else {
      this.available = 0;
    }
  }

  dispose() {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  private demoSource(status: Source['status']): Source {
    return {
      id: this.nextSource++,
      path: '/usr/share/cartolina/demo/mailbox',
      kind: 'demo',
      status,
      messages: status === 'watching' ? this.cards.length * 3 + this.received.length : 0,
      last_scan: status === 'watching' ? iso(MOCK_NOW) : null,
      error: null,
    };
  }

  // ---- command dispatch -------------------------------------------------------------

  handle(cmd: string, args: Record<string, any> = {}): unknown {
    switch (cmd) {
      case 'list_cards':
        return this.listCards(args.args);
      case 'get_card':
        return this.getCard(args.id);
      case 'list_received':
        return this.listReceived(args.args);
      case 'get_orphan':
        return this.getReceivedDetail(args.id);
      case 'list_accounts':
        return [...new Set(this.cards.slice(0, Math.max(1, this.available)).map((c) => c.account!))].sort();
      case 'verify_file':
        return this.verify(args.paths);
      case 'save_blob':
        if (!this.blobs.has(args.token)) throw new Error('blob sconosciuto');
        this.saved.push({ token: args.token, dest: args.dest });
        return null;
      case 'open_blob':
        if (!this.blobs.has(args.token)) throw new Error('blob sconosciuto');
        this.opened.push(args.token);
        return null;
      case 'list_sources':
        return this.sources.map((s) => ({ ...s }));
      case 'add_source':
        return this.addSource(String(args.path), false);
      case 'add_demo_source':
        return this.addSource('/usr/share/cartolina/demo/mailbox', true);
      case 'remove_source':
        this.sources = this.sources.filter((s) => s.id !== args.id);
        this.emit('sources-changed', this.sources);
        return null;
      case 'set_source_paused': {
        const s = this.sources.find((x) => x.id === args.id);
        if (!s) throw new Error('sorgente sconosciuta');
        s.status = args.paused ? 'paused' : 'watching';
        this.emit('sources-changed', this.sources);
        return { ...s };
      }
      case 'get_ingest_status':
        return this.ingest;
      case 'get_trust_store':
        return structuredClone(this.trust);
      case 'import_trust':
        return this.importTrust(args.kind, args.paths);
      case 'remove_trust_anchor':
        this.trust.anchors = this.trust.anchors.filter((a) => a.id !== args.id);
        return null;
      case 'get_settings':
        return { ...this.settings };
      case 'set_settings':
        this.settings = { ...this.settings, ...args.patch };
        return { ...this.settings };
      default:
        throw new Error(`comando sconosciuto: ${cmd}`);
    }
  }

  // ---- cards ---------------------------------------------------------------------

  private haystack(): string[] {
    if (!this.hay) {
      this.hay = this.cards.map((c) =>
        [c.subject, c.sender, c.identificativo, c.message_id, ...c.recipients.map((r) => r.address)].join('\u0001').toLowerCase(),
      );
    }
    return this.hay;
  }

  private dayNumbers: Int32Array | null = null;
  private days(): Int32Array {
    if (!this.dayNumbers) {
      this.dayNumbers = new Int32Array(this.cards.length);
      for (let i = 0; i < this.cards.length; i++) this.dayNumbers[i] = romeDayNumber(this.cards[i]._ms);
    }
    return this.dayNumbers;
  }

  listCards(a: ListCardsArgs): CardPage {
    const words = (a.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const key = JSON.stringify([words, a.states ?? [], a.from ?? '', a.to ?? '', a.account ?? '', a.sort, this.available]);
    if (!this.cache || this.cache.key !== key) {
      const hay = words.length ? this.haystack() : null;
      // Typing extends the previous query: narrow its matches instead of scanning all.
      const prev = this.cache;
      const restKey = JSON.stringify([a.states ?? [], a.from ?? '', a.to ?? '', a.account ?? '', this.available]);
      const narrow =
        prev && prev.rest === restKey && prev.words.length > 0 && words.length >= prev.words.length &&
        prev.words.every((w, i) => words[i].includes(w)) ? prev.all : null;
      const days = a.from || a.to ? this.days() : null;
      const from = a.from ? Number(a.from.replace(/-/g, '')) : 0;
      const to = a.to ? Number(a.to.replace(/-/g, '')) : 99999999;
      const counts = emptyCounts();
      const idx: number[] = [];
      const all: number[] = [];
      const n = narrow ? narrow.length : Math.min(this.available, this.cards.length);
      for (let k = 0; k < n; k++) {
        const i = narrow ? narrow[k] : k;
        const c = this.cards[i];
        if (a.account && c.account !== a.account) continue;
        if (days && (days[i] < from || days[i] > to)) continue;
        if (hay) {
          const h = hay[i];
          let ok = true;
          for (const w of words)
            if (!h.includes(w)) {
              ok = false;
              break;
            }
          if (!ok) continue;
        }
        all.push(i);
        const b = countBucket(c.state);
        if (b) counts[b]++;
        if (matchesStates(c.state, a.states)) idx.push(i);
      }
      if (a.sort === 'oldest') idx.reverse();
      this.cache = { key, rest: restKey, words, all: Int32Array.from(all), idx: Int32Array.from(idx), counts };
    }
    const { idx, counts } = this.cache;
    const rows = [];
    const end = Math.min(idx.length, a.offset + a.limit);
    for (let k = a.offset; k < end; k++) rows.push(this.publicCard(this.cards[idx[k]]));
    return { total: idx.length, counts: { ...counts }, rows };
  }

  private publicCard(c: MockCard) {
    const { _provider, _ms, ...card } = c;
    void _provider;
    void _ms;
    return card;
  }

  getCard(id: number): CardDetail {
    if (id > 200_000) return this.getReceivedDetail(id);
    const c = this.cards[id - 1];
    if (!c) throw new Error(`messaggio ${id} non trovato`);
    const r = mulberry32(id * 7919);
    const prov = PROVIDERS[c._provider];
    const signer = SIGNERS[c._provider];
    const receipts: Receipt[] = [];
    let rid = id * 10;
    const tampered = !c.proof_ok;
    const base = (kind: ReceiptKind, atMs: number, recipient: string | null, extra: Partial<Daticert> = {}): Receipt => {
      const integrity = tampered && kind === 'acceptance' && c.problems[0]?.includes('non è integra') ? 'broken' : 'intact';
      const dc: Daticert = {
        tipo: TIPO[kind] ?? kind,
        errore: extra.errore ?? 'nessuno',
        mittente: c.sender!,
        destinatari: c.recipients.map((x) => ({ address: x.address, type: x.type })),
        risposte: c.sender,
        oggetto: c.subject,
        gestore_emittente: prov.name,
        data: isoRome(atMs),
        identificativo: c.identificativo ?? '',
        msgid: c.message_id ?? '',
        ricevuta: kind === 'delivery' ? 'completa' : null,
        consegna: recipient,
        errore_esteso: extra.errore_esteso ?? null,
      };
      const inconsistencies: Inconsistency[] =
        tampered && kind === 'delivery' && c.problems[0]?.includes('X-Riferimento')
          ? [{ field: 'msgid', header: `<falso.${id}@altrodominio.it>`, daticert: c.message_id }]
          : [];
      const subj = `${SUBJECT_PREFIX[kind] ?? ''}: ${c.subject}`;
      return {
        id: ++rid,
        kind,
        file: `/usr/share/cartolina/demo/mailbox/cur/${Math.floor(atMs / 1000)}.M${rid}P${id}.cartolina:2,S`,
        recipient,
        at: iso(atMs),
        subject: subj,
        daticert: dc,
        inconsistencies,
        signature: makeReport({ signer, signingMs: atMs, integrity, seed: rid, weak: atMs < Date.parse('2019-01-01T00:00:00Z') }),
        raw: rawReceipt(kind, subj, prov.domain, c, dc, atMs),
        raw_truncated: false,
        eml: this.emlBlob(`${kind}-${rid}.eml`),
      };
    };
    if (c.state === 'not-accepted') {
      const at = c._ms + 5000;
      receipts.push(base('non-acceptance', at, null, { errore: 'altro', errore_esteso: 'Messaggio non accettato: presenza di destinatari in copia nascosta (Bcc)' }));
    } else if (c.accepted_at) {
      receipts.push(base('acceptance', Date.parse(c.accepted_at), null));
      for (const x of c.recipients) {
        if (x.type === 'esterno') continue;
        const acc = Date.parse(c.accepted_at);
        if (x.state === 'warned' && x.at) receipts.push(base('delivery-warning', Date.parse(x.at), x.address));
        if (x.state === 'delivered' && x.at) {
          const at = Date.parse(x.at);
          if (at - acc > DAY / 2) receipts.push(base('delivery-warning', acc + DAY / 2, x.address));
          receipts.push(base('delivery', at, x.address));
        }
        if (x.state === 'failed' && x.at) receipts.push(base('delivery-error', Date.parse(x.at), x.address, { errore: 'altro', errore_esteso: x.error }));
      }
    }
    if (tampered && c.problems[0]?.includes('non firmata')) {
      // A forwarded or forged "receipt" without the provider's signature: content, not proof.
      const target = c.recipients.find((x) => x.type === 'certificato') ?? c.recipients[0];
      const at = c.accepted_at ? Date.parse(c.accepted_at) + 90_000 : c._ms + 90_000;
      const claim = base('delivery', at, target?.address ?? null);
      receipts.push({ ...claim, kind: 'unsigned-claim', signature: unsignedReport() });
    }
    const nAtt = int(r, 0, 3);
    const attachments: BlobRef[] = [];
    for (let k = 0; k < nAtt; k++) {
      const a = ATTACHMENTS[(id + k * 3) % ATTACHMENTS.length];
      const b = { token: `att-${id}-${k}`, name: a.name, size: int(r, 20_000, 4_000_000), mime: a.mime };
      this.blobs.set(b.token, b);
      attachments.push(b);
    }
    const html = id % 7 === 0;
    const text = `Gentile Collega,\n\ncon la presente si trasmette in allegato quanto in oggetto ("${c.subject}").\n\nDistinti saluti,\n${c.sender}`;
    return {
      card: this.publicCard(c),
      origin: 'sent',
      receipts,
      attachments,
      body_text: html ? null : text,
      body_html: html
        ? `<html><head><style>body{background:url(https://tracker.example.com/bg.png)}</style><script>alert('x')</script></head><body><p>Gentile Collega,</p><p>con la presente si trasmette quanto in oggetto: <b>${escapeHtml(c.subject ?? '')}</b>.</p><img src="https://tracker.example.com/pixel.gif?id=${id}" width="1" height="1"><p onclick="steal()">Distinti saluti,<br>${escapeHtml(c.sender ?? '')}</p><a href="https://phishing.example.com/login">Accedi qui</a></body></html>`
        : null,
      raw: rawOriginal(c, html ? 'text/html' : 'text/plain', html ? '<p>Gentile Collega, …</p>' : text, attachments),
      raw_truncated: false,
      eml: this.emlBlob(`messaggio-${id}.eml`),
    };
  }

  /** A message saved as `.eml` (the real shell reads it from the archive). */
  private emlBlob(name: string): BlobRef {
    const b = { token: `eml-${name}`, name, size: 4_096, mime: 'message/rfc822' };
    this.blobs.set(b.token, b);
    return b;
  }

  // ---- received -------------------------------------------------------------------

  listReceived(a: ListReceivedArgs): ReceivedPage {
    const words = (a.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const visible = this.available > 0 ? this.received.length : 0;
    const key = JSON.stringify([words, a.kind ?? '', a.account ?? '', a.sort, visible]);
    if (!this.recvCache || this.recvCache.key !== key) {
      if (!this.recvHay) this.recvHay = this.received.map((x) => [x.subject, x.sender, x.identificativo, x.refers_to].join('\u0001').toLowerCase());
      const idx: number[] = [];
      for (let i = 0; i < visible; i++) {
        const x = this.received[i];
        if (a.kind && x.kind !== a.kind) continue;
        if (a.account && x.account !== a.account) continue;
        if (words.length && !words.every((w) => this.recvHay![i].includes(w))) continue;
        idx.push(i);
      }
      if (a.sort === 'oldest') idx.reverse();
      this.recvCache = { key, idx: Int32Array.from(idx) };
    }
    const { idx } = this.recvCache;
    const rows = [];
    for (let k = a.offset; k < Math.min(idx.length, a.offset + a.limit); k++) {
      const { _ms, _provider, ...item } = this.received[idx[k]];
      void _ms;
      void _provider;
      rows.push(item);
    }
    return { total: idx.length, rows };
  }

  getReceivedDetail(id: number): CardDetail {
    const x = this.received.find((y) => y.id === id);
    if (!x) throw new Error(`messaggio ${id} non trovato`);
    const prov = PROVIDERS[x._provider];
    const signer = SIGNERS[x._provider];
    const orphan = x.kind === 'orphan-receipt';
    const kind: ReceiptKind = orphan ? x.receipt_kind! : 'transport';
    const dc: Daticert = {
      tipo: TIPO[kind] ?? kind,
      errore: kind === 'delivery-error' ? 'altro' : 'nessuno',
      mittente: orphan ? x.account! : x.sender!,
      destinatari: [{ address: orphan ? 'destinatario@pec.it' : x.account!, type: 'certificato' }],
      risposte: null,
      oggetto: x.subject,
      gestore_emittente: prov.name,
      data: isoRome(x._ms),
      identificativo: x.identificativo ?? '',
      msgid: x.refers_to ?? `<${x.id}@${prov.domain}>`,
      ricevuta: kind === 'delivery' ? 'completa' : null,
      consegna: kind === 'delivery' ? 'destinatario@pec.it' : null,
      errore_esteso: kind === 'delivery-error' ? '5.1.1 - indirizzo non valido' : null,
    };
    const receipt: Receipt = {
      id: x.id * 10,
      kind,
      file: `/usr/share/cartolina/demo/mailbox/cur/${Math.floor(x._ms / 1000)}.R${x.id}.cartolina:2,S`,
      recipient: dc.consegna,
      at: x.at,
      subject: x.subject,
      daticert: dc,
      inconsistencies: [],
      signature: makeReport({ signer, signingMs: x._ms, seed: x.id, integrity: x.proof_ok ? 'intact' : 'broken' }),
      raw: `Return-Path: <posta-certificata@${prov.domain}>\nX-Trasporto: ${orphan ? '' : 'posta-certificata'}\nSubject: ${x.subject}\nDate: ${new Date(x._ms).toUTCString()}\n\n(…)`,
      raw_truncated: false,
      eml: this.emlBlob(`${kind}-${x.id * 10}.eml`),
    };
    return {
      card: {
        id: x.id,
        message_id: x.refers_to,
        identificativo: x.identificativo,
        subject: x.subject,
        sender: x.sender,
        account: x.account,
        sent_at: x.at,
        accepted_at: null,
        state: 'received',
        recipients: orphan ? [] : [{ address: x.account!, type: 'certificato', state: 'received', at: x.at, error: null }],
        proof_ok: x.proof_ok,
        problems: orphan ? ['Ricevuta senza messaggio inviato corrispondente nell’archivio', ...x.problems] : x.problems,
      },
      origin: orphan ? 'orphan' : 'received',
      receipts: [receipt],
      attachments: [],
      body_text: orphan ? null : `Messaggio di posta certificata.\n\nIl giorno ${x.at} è stato ricevuto il messaggio "${x.subject}" inviato da ${x.sender}.`,
      body_html: null,
      raw: receipt.raw,
      raw_truncated: false,
      eml: null,
    };
  }

  // ---- verifier ---------------------------------------------------------------------

  verify(paths: string[]): VerifyResult {
    if (!Array.isArray(paths) || paths.length === 0) throw new Error('nessun file');
    const names = paths.map((p) => p.split(/[\\/]/).pop()!.toLowerCase());
    const main = names.find((n) => /\.(p7m|p7s|eml)$/.test(n)) ?? names[0];
    const seed = [...main].reduce((a, ch) => (a * 31 + ch.charCodeAt(0)) >>> 0, 7);
    const tampered = main.includes('manomess') || main.includes('tamper');
    const unknownCa = main.includes('sconosciut') || main.includes('unknown');
    const old = main.includes('scadut') || main.includes('2019');
    const signingMs = old ? Date.parse('2019-03-14T09:41:27Z') : Date.parse('2026-10-02T15:12:08Z');
    const qualified = { given: 'MARIO', surname: 'ROSSI', cf: 'RSSMRA70A01F205X' };
    const blob = (name: string, mime: string, size: number): BlobRef => {
      const b = { token: `verify-${seed}-${name}`, name, size, mime };
      this.blobs.set(b.token, b);
      return b;
    };
    if (main.endsWith('.p7m')) {
      const levels = (main.match(/\.p7m/g) ?? []).length;
      const inner = paths[names.indexOf(main)].split(/[\\/]/).pop()!.replace(/(\.p7m)+$/i, '');
      const reports = Array.from({ length: levels }, (_, i) =>
        makeReport({ signer: '', qualified, signingMs: signingMs + i * 60_000, seed: seed + i, integrity: tampered && i === levels - 1 ? 'broken' : 'intact', trust: unknownCa ? 'untrusted' : 'trusted' }),
      );
      const isText = /\.(txt|xml)$/i.test(inner);
      return {
        kind: 'p7m',
        files: paths,
        reports,
        daticert: null,
        inconsistencies: [],
        content: blob(inner, inner.endsWith('.pdf') ? 'application/pdf' : isText ? 'text/plain' : 'application/octet-stream', 183_442),
        content_preview: isText ? `<?xml version="1.0" encoding="UTF-8"?>\n<FatturaElettronica versione="FPR12">\n  <!-- anteprima del contenuto estratto -->\n</FatturaElettronica>` : null,
        error: null,
      };
    }
    if (main.endsWith('.p7s')) {
      const data = paths.find((p) => !p.toLowerCase().endsWith('.p7s'));
      const report = makeReport({ signer: '', qualified, signingMs, seed, integrity: data ? (tampered ? 'broken' : 'intact') : 'detached', trust: unknownCa ? 'untrusted' : data ? 'trusted' : 'indeterminate' });
      return {
        kind: 'p7s',
        files: paths,
        reports: [report],
        daticert: null,
        inconsistencies: [],
        content: data ? blob(data.split(/[\\/]/).pop()!, 'application/pdf', 95_120) : null,
        content_preview: null,
        error: null,
      };
    }
    if (main.endsWith('.eml')) {
      const isReceipt = /consegna|ricevuta|accettazione|receipt/.test(main);
      const at = Date.parse('2026-11-18T08:30:12Z');
      const dc: Daticert = {
        tipo: isReceipt ? 'avvenuta-consegna' : 'posta-certificata',
        errore: 'nessuno',
        mittente: 'avv.giulia.rossi@pec.ordineavvocatimilano.it',
        destinatari: [{ address: 'protocollo@pec.comune.milano.it', type: 'certificato' }],
        risposte: 'avv.giulia.rossi@pec.ordineavvocatimilano.it',
        oggetto: 'Istanza di accesso agli atti – prot. n. 4411',
        gestore_emittente: 'ARUBA PEC S.p.A.',
        data: isoRome(at),
        identificativo: 'opec288.20261118093012.04412.871.1.66@pec.aruba.it',
        msgid: '<m3k2a.4411@pec.ordineavvocatimilano.it>',
        ricevuta: isReceipt ? 'completa' : null,
        consegna: isReceipt ? 'protocollo@pec.comune.milano.it' : null,
        errore_esteso: null,
      };
      return {
        kind: isReceipt ? 'pec-receipt' : 'pec-transport',
        files: paths,
        reports: [makeReport({ signer: CHAIN.aruba, signingMs: at, seed, integrity: tampered ? 'broken' : 'intact', trust: unknownCa ? 'untrusted' : 'trusted' })],
        daticert: dc,
        inconsistencies: tampered
          ? [
              { field: 'tipo', header: 'accettazione', daticert: dc.tipo },
              { field: 'msgid', header: '<altro.9999@pec.example.it>', daticert: dc.msgid },
            ]
          : [],
        content: isReceipt ? blob('postacert.eml', 'message/rfc822', 48_210) : null,
        content_preview: null,
        error: null,
      };
    }
    return { kind: 'unknown', files: paths, reports: [unsignedReport()], daticert: null, inconsistencies: [], content: null, content_preview: null, error: null };
  }

  // ---- sources & ingest ----------------------------------------------------------------

  private addSource(path: string, demo: boolean): Source {
    const existing = this.sources.find((s) => s.path === path);
    if (existing) return { ...existing };
    const s: Source = {
      id: this.nextSource++,
      path,
      kind: demo ? 'demo' : 'maildir',
      status: 'scanning',
      messages: 0,
      last_scan: null,
      error: null,
    };
    this.sources.push(s);
    this.emit('sources-changed', this.sources);
    this.simulateScan(s);
    return { ...s };
  }

  private simulateScan(s: Source) {
    const total = this.cards.length * 3 + this.received.length;
    const duration = this.opts.ingestMs ?? 2500;
    const steps = 20;
    const phases: IngestProgress['phase'][] = ['scanning', 'parsing', 'parsing', 'verifying', 'verifying', 'pairing'];
    const startAvail = this.available;
    for (let k = 0; k <= steps; k++) {
      this.timers.push(
        setTimeout(() => {
          const done = Math.round((total * k) / steps);
          const phase = k === steps ? 'done' : phases[Math.floor((k / steps) * phases.length)];
          this.ingest = k === steps ? null : { done, total, phase, source_id: s.id };
          this.available = Math.max(startAvail, Math.round((this.cards.length * k) / steps));
          s.messages = done;
          if (k === steps) {
            s.status = 'watching';
            s.last_scan = iso(MOCK_NOW);
            this.emit('sources-changed', this.sources);
          }
          this.emit('ingest-progress', { done, total, phase, source_id: s.id });
          if (k % 4 === 0 || k === steps) this.emit('cards-changed', { ids: [] });
        }, Math.round((duration * k) / steps)),
      );
    }
  }

  private importTrust(kind: string, paths: string[]): ImportReport {
    if (kind === 'tsl') {
      this.trust.tsl = { territory: 'IT', sequence_number: 287, issue_date: '2026-10-30T09:00:00Z', next_update: '2027-04-30T09:00:00Z', services: 143 };
      const base = this.trust.anchors.length;
      this.trust.anchors.push(
        { id: base + 1, subject: 'CN=InfoCert Qualified Electronic Signature CA 3,O=InfoCert S.p.A.,C=IT', common_name: 'InfoCert Qualified Electronic Signature CA 3', not_after: '2037-12-01T00:00:00Z', sha256_fingerprint: 'a1'.repeat(32), origin: 'tsl' },
        { id: base + 2, subject: 'CN=ArubaPEC EU Qualified Certificates CA G1,O=ArubaPEC S.p.A.,C=IT', common_name: 'ArubaPEC EU Qualified Certificates CA G1', not_after: '2037-05-01T00:00:00Z', sha256_fingerprint: 'b2'.repeat(32), origin: 'tsl' },
      );
      return { added: 2, skipped: 0, errors: [] };
    }
    if (kind === 'crl') {
      this.trust.crls.push({ id: this.trust.crls.length + 1, issuer: 'CN=AgID CA1', this_update: iso(MOCK_NOW - DAY), next_update: iso(MOCK_NOW + 6 * DAY), entries: 1289 });
      return { added: paths.length, skipped: 0, errors: [] };
    }
    const id = this.trust.anchors.length + 1;
    this.trust.anchors.push({ id, subject: 'CN=Studio Rossi Root CA,O=Studio Rossi,C=IT', common_name: 'Studio Rossi Root CA', not_after: '2031-01-01T00:00:00Z', sha256_fingerprint: 'c3'.repeat(32), origin: 'user' });
    return { added: 1, skipped: Math.max(0, paths.length - 1), errors: [] };
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** RFC 3339 with the Europe/Rome offset, as a daticert date (giorno/ora/@zona) reads. */
function isoRome(ms: number): string {
  const off = romeOffsetHours(ms);
  const d = new Date(ms + off * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${d}+0${off}:00`;
}

function rawOriginal(c: MockCard, type: string, body: string, att: BlobRef[]): string {
  const boundary = `----=_Part_${c.id}`;
  const lines = [
    `Message-ID: ${c.message_id}`,
    `Date: ${new Date(c._ms).toUTCString().replace('GMT', '+0000')}`,
    `From: ${c.sender}`,
    `To: ${c.recipients.map((r) => r.address).join(', ')}`,
    `Subject: ${c.subject}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    `Content-Type: ${type}; charset=UTF-8`,
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
  ];
  for (const a of att) lines.push(`--${boundary}`, `Content-Type: ${a.mime}; name="${a.name}"`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment; filename="${a.name}"`, '', 'JVBERi0xLjcKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT4+…');
  lines.push(`--${boundary}--`);
  return lines.join('\n');
}

function rawReceipt(kind: ReceiptKind, subject: string, domain: string, c: MockCard, dc: Daticert, atMs: number): string {
  return [
    `Return-Path: <posta-certificata@${domain}>`,
    `Message-ID: <${kind}.${c.id}.${atMs}@${domain}>`,
    `Date: ${new Date(atMs).toUTCString().replace('GMT', '+0000')}`,
    `From: "Per conto di: ${c.sender}" <posta-certificata@${domain}>`,
    `To: ${c.sender}`,
    `Subject: ${subject}`,
    `X-Ricevuta: ${TIPO[kind]}`,
    `X-Riferimento-Message-ID: ${c.message_id}`,
    dc.ricevuta ? `X-TipoRicevuta: ${dc.ricevuta}` : null,
    'MIME-Version: 1.0',
    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="----firma"',
    '',
    '------firma',
    'Content-Type: multipart/mixed; boundary="----parti"',
    '',
    '------parti',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    `Ricevuta di ${TIPO[kind]}`,
    `Il giorno ${dc.data} il messaggio "${c.subject}" ...`,
    '------parti',
    'Content-Type: application/xml; name="daticert.xml"',
    '',
    `<postacert tipo="${dc.tipo}" errore="${dc.errore}">…</postacert>`,
    '------parti--',
    '------firma',
    'Content-Type: application/pkcs7-signature; name="smime.p7s"',
    'Content-Transfer-Encoding: base64',
    '',
    'MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIG…',
    '------firma--',
  ]
    .filter((l) => l !== null)
    .join('\n');
}
