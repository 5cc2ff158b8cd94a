// Deterministic in-memory dataset for the mocked IPC: 100,000 sent cards with realistic
// Italian subjects and PEC addresses, plus received messages and orphan receipts.
// Same seed, same data: E2E tests can rely on it.
import type { Card, CardState, ReceivedItem, Recipient, RecipientState } from '../lib/types';

export const MOCK_NOW = Date.parse('2026-11-20T10:00:00Z');
export const DAY = 86_400_000;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOMI = ['Giulia', 'Marco', 'Francesca', 'Luca', 'Chiara', 'Alessandro', 'Sara', 'Matteo', 'Elena', 'Davide', 'Valentina', 'Andrea', 'Federica', 'Stefano', 'Martina', 'Paolo', 'Silvia', 'Roberto', 'Laura', 'Giovanni'];
const COGNOMI = ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Mancini', 'Costa', 'Giordano', 'Rizzo', 'Lombardi', 'Moretti', 'Barbieri', 'Fontana', 'Santoro', 'Mariani', 'Rinaldi', 'Caruso', 'Ferrara', 'Galli', 'Martini', 'Leone'];
const PEC_DOMAINS = ['pec.it', 'legalmail.it', 'pec.ordineavvocatimilano.it', 'ordineavvocatiroma.org', 'pec.commercialisti.it', 'postacert.it', 'arubapec.it', 'pec.odcecnapoli.it', 'cert.legalmail.it', 'pec.notariato.it'];
const ENTI = [
  'protocollo@pec.comune.milano.it', 'protocollo.generale@pec.comune.roma.it', 'dp.milano1@pce.agenziaentrate.it', 'direzione.provinciale.torino@pce.agenziaentrate.it',
  'inps.sede.bologna@postacert.inps.gov.it', 'tribunale.milano@giustiziacert.it', 'prot.tribunale.napoli@giustiziacert.it', 'ufficio.registro@pec.cciaa.mi.it',
  'amministrazione@pec.condominiovialibertà.it', 'contenzioso@pec.assicurazionigenerali.it', 'ufficio.legale@pec.bancaintesa.it', 'segreteria@pec.ordineingegneri.bo.it',
];
const ESTERNI = ['gmail.com', 'libero.it', 'yahoo.it', 'hotmail.it', 'studiobianchi.it', 'tiscali.it'];
const CITTA = ['Milano', 'Roma', 'Napoli', 'Torino', 'Bologna', 'Firenze', 'Genova', 'Bari', 'Verona', 'Padova'];
const VIE = ['via Garibaldi 12', 'corso Vittorio Emanuele 45', 'via Roma 3', 'piazza Duomo 8', 'via Manzoni 21', 'viale Europa 110'];

export const ACCOUNTS = [
  'avv.giulia.rossi@pec.ordineavvocatimilano.it',
  'studio.rossi@legalmail.it',
  'amministrazione@pec.studiorossi.it',
  'dott.marco.bianchi@pec.commercialisti.it',
];

type Rng = () => number;
const pick = <T>(r: Rng, a: readonly T[]): T => a[Math.floor(r() * a.length)];
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const slugCache = new Map<string, string>();
function slug(s: string): string {
  let v = slugCache.get(s);
  if (v === undefined) {
    v = s.toLowerCase().replace(/[^a-z]/g, '');
    slugCache.set(s, v);
  }
  return v;
}

function person(r: Rng): { nome: string; cognome: string } {
  return { nome: pick(r, NOMI), cognome: pick(r, COGNOMI) };
}

function subject(r: Rng, year: number): string {
  const p = person(r);
  const q = person(r);
  const n = int(r, 1, 9999);
  switch (Math.floor(r() * 20)) {
    case 0:
      return `Ricorso per decreto ingiuntivo – ${p.cognome} c/ ${q.cognome} – RG ${n}/${year}`;
    case 1:
      return `Notifica atto di citazione ai sensi della L. 53/1994 – ${p.cognome} / ${q.cognome}`;
    case 2:
      return `Fattura n. ${n}/${year} – studio ${p.cognome}`;
    case 3:
      return `Diffida ad adempiere – pratica ${n}/${year}`;
    case 4:
      return `Comunicazione ex art. 1454 c.c. – ${q.nome} ${q.cognome}`;
    case 5:
      return `Invio modello F24 – scadenza ${int(r, 1, 28)}/${String(int(r, 1, 12)).padStart(2, '0')}/${year}`;
    case 6:
      return `Istanza di accesso agli atti – prot. n. ${n}`;
    case 7:
      return `Convocazione assemblea condominiale – ${pick(r, VIE)}, ${pick(r, CITTA)}`;
    case 8:
      return `Deposito memoria ex art. 183 c.p.c. – RG ${n}/${year - 1}`;
    case 9:
      return `Richiesta di rimborso IVA – ${p.cognome} S.r.l.`;
    case 10:
      return `Dichiarazione dei redditi ${year - 1} – ${p.nome} ${p.cognome}`;
    case 11:
      return `Disdetta contratto di locazione – ${pick(r, VIE)}, ${pick(r, CITTA)}`;
    case 12:
      return `Messa in mora – sinistro n. ${n}${int(r, 10, 99)}`;
    case 13:
      return `Trasmissione verbale di conciliazione – ${p.cognome} / ${q.cognome}`;
    case 14:
      return `Opposizione a sanzione amministrativa n. ${n}/${year}`;
    case 15:
      return `Preventivo lavori di ristrutturazione – ${pick(r, CITTA)}`;
    case 16:
      return `Richiesta certificato di agibilità – pratica edilizia ${n}`;
    case 17:
      return `Sollecito di pagamento – fattura ${n}/${year - 1}`;
    case 18:
      return `Invio bilancio d'esercizio ${year - 1} – ${q.cognome} S.p.A.`;
    case 19:
      return `Nomina consulente tecnico di parte – RG ${n}/${year}`;
    default:
      return `Comunicazione – pratica ${n}/${year}`;
  }
}

function pecAddress(r: Rng): string {
  if (r() < 0.3) return pick(r, ENTI);
  const p = person(r);
  const style = r();
  const local = style < 0.4 ? `${slug(p.nome)}.${slug(p.cognome)}` : style < 0.7 ? `avv.${slug(p.nome)}.${slug(p.cognome)}` : `studio${slug(p.cognome)}`;
  return `${local}@${pick(r, PEC_DOMAINS)}`;
}

function externalAddress(r: Rng): string {
  const p = person(r);
  return `${slug(p.nome)}.${slug(p.cognome)}${int(r, 1, 99)}@${pick(r, ESTERNI)}`;
}

const ERRORS = [
  '5.1.1 - ARUBA PEC S.p.A. - indirizzo non valido',
  '5.2.2 - Legalmail - casella del destinatario piena',
  '5.1.2 - no-dominio - il dominio del destinatario non è un dominio PEC',
  '5.7.1 - InfoCert S.p.A. - messaggio rifiutato dal gestore del destinatario',
];

export const PROBLEMS = [
  'Ricevuta di consegna non firmata: presunta ricevuta, non è una prova',
  'Intestazione X-Riferimento-Message-ID diversa dal daticert firmato',
  'La firma della ricevuta di accettazione non è integra',
];

export const PROVIDERS = [
  { name: 'ARUBA PEC S.p.A.', domain: 'pec.aruba.it', prefix: 'opec288' },
  { name: 'InfoCert S.p.A.', domain: 'legalmail.it', prefix: 'opec210' },
  { name: 'Namirial S.p.A.', domain: 'sicurezzapostale.it', prefix: 'opec292' },
  { name: 'Poste Italiane S.p.A.', domain: 'postecert.it', prefix: 'opec275' },
];

const P2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** UTC civil date/time of an instant without allocating a Date (hot path: 300k calls). */
function civil(ms: number): [number, number, number, number, number, number] {
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86400);
  const sod = s - days * 86400;
  // Howard Hinnant's days_from_civil inverse.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d, Math.floor(sod / 3600), Math.floor((sod % 3600) / 60), sod % 60];
}

export function iso(ms: number): string {
  const [y, m, d, h, mi, se] = civil(ms);
  return `${y}-${P2[m]}-${P2[d]}T${P2[h]}:${P2[mi]}:${P2[se]}Z`;
}

function stamp(ms: number): string {
  const [y, m, d, h, mi, se] = civil(ms);
  return `${y}${P2[m]}${P2[d]}${P2[h]}${P2[mi]}${P2[se]}`;
}

/** Card state from recipient states (same rules as crates/archive/src/cards.rs). */
export function stateOf(notAccepted: boolean, recipients: { state: RecipientState }[], acceptedMs: number | null, now: number): CardState {
  if (notAccepted) return 'not-accepted';
  let delivered = 0;
  let failed = 0;
  let unresolved = 0;
  for (const r of recipients) {
    if (r.state === 'delivered') delivered++;
    else if (r.state === 'failed') failed++;
    else if (r.state === 'pending' || r.state === 'warned' || r.state === 'overdue') unresolved++;
  }
  if (unresolved > 0) return acceptedMs !== null && acceptedMs + DAY <= now ? 'overdue' : 'pending';
  if (failed > 0) return delivered > 0 ? 'partially-delivered' : 'failed';
  return 'all-delivered';
}

export interface MockCard extends Card {
  /** Hidden extras the mock needs to build details. */
  _provider: number;
  _ms: number;
}

export function generateCards(n: number, seed = 20261120, now = MOCK_NOW): MockCard[] {
  const r = mulberry32(seed);
  const out: MockCard[] = new Array(n);
  const span = 3 * 365 * DAY;
  const gap = span / n;
  for (let i = 0; i < n; i++) {
    const sent = Math.round(now - 5 * 60_000 - i * gap - r() * gap * 0.6);
    const year = civil(sent)[0];
    const accIdx = r() < 0.55 ? 0 : int(r, 1, ACCOUNTS.length - 1);
    const account = ACCOUNTS[accIdx];
    const provider = accIdx === 1 ? 1 : accIdx === 3 ? 2 : 0;
    const notAccepted = r() < 0.003;
    const acceptedMs = notAccepted ? null : sent + int(r, 2, 40) * 1000;
    const nr = (() => {
      const x = r();
      return x < 0.62 ? 1 : x < 0.86 ? 2 : x < 0.96 ? 3 : 4;
    })();
    const recipients: Recipient[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < nr; k++) {
      const esterno = r() < 0.12;
      const address = esterno ? externalAddress(r) : pecAddress(r);
      if (seen.has(address)) continue;
      seen.add(address);
      let state: RecipientState;
      let at: string | null = null;
      let error: string | null = null;
      if (esterno) {
        state = 'not-provable';
      } else if (acceptedMs === null) {
        state = 'pending';
      } else {
        const age = now - acceptedMs;
        const x = r();
        if (age < DAY) {
          if (x < 0.55 && age > 10 * 60_000) {
            state = 'delivered';
            at = iso(acceptedMs + int(r, 3, 600) * 1000);
          } else if (age > DAY / 2 && x < 0.8) {
            state = 'warned';
            at = iso(acceptedMs + DAY / 2 + int(r, 5, 900) * 1000);
          } else state = 'pending';
        } else if (x < 0.925) {
          state = 'delivered';
          at = iso(acceptedMs + int(r, 3, 300) * 1000);
        } else if (x < 0.97) {
          state = 'failed';
          at = iso(acceptedMs + int(r, 10, 3600) * 1000);
          error = pick(r, ERRORS);
        } else if (x < 0.985) {
          state = 'overdue';
        } else {
          // A 12 h warning that ended in a delivery.
          state = 'delivered';
          at = iso(acceptedMs + DAY / 2 + int(r, 3600, 30000) * 1000);
        }
      }
      recipients.push({ address, type: esterno ? 'esterno' : 'certificato', state, at, error });
    }
    const proofOk = r() > 0.03;
    const prov = PROVIDERS[provider];
    const id = i + 1;
    out[i] = {
      id,
      message_id: `<${(sent / 1000).toString(36)}.${id.toString(36)}@${account.split('@')[1]}>`,
      identificativo: acceptedMs === null ? null : `${prov.prefix}.${stamp(acceptedMs)}.${String(int(r, 10000, 99999))}.${int(r, 100, 999)}.1.${int(r, 10, 99)}@${prov.domain}`,
      subject: subject(r, year),
      sender: account,
      account,
      sent_at: iso(sent),
      accepted_at: acceptedMs === null ? null : iso(acceptedMs),
      state: stateOf(notAccepted, recipients, acceptedMs, now),
      recipients,
      proof_ok: proofOk,
      problems: proofOk ? [] : [pick(r, PROBLEMS)],
      _provider: provider,
      _ms: sent,
    };
  }
  return out;
}

export interface MockReceived extends ReceivedItem {
  _ms: number;
  _provider: number;
}

export function generateReceived(n: number, orphans: number, seed = 777, now = MOCK_NOW): MockReceived[] {
  const r = mulberry32(seed);
  const out: MockReceived[] = [];
  const span = 2 * 365 * DAY;
  const total = n + orphans;
  const orphanEvery = Math.max(1, Math.floor(total / Math.max(1, orphans)));
  let rid = 200_000;
  let oid = 300_000;
  for (let i = 0; i < total; i++) {
    const ms = Math.round(now - 20 * 60_000 - (i * span) / total - r() * 1000 * 60 * 30);
    const provider = int(r, 0, PROVIDERS.length - 1);
    const prov = PROVIDERS[provider];
    const account = pick(r, ACCOUNTS);
    const isOrphan = orphans > 0 && i % orphanEvery === orphanEvery - 1 && oid < 300_000 + orphans;
    const ok = r() > 0.04;
    if (isOrphan) {
      const kind = pick(r, ['delivery', 'acceptance', 'delivery-error'] as const);
      out.push({
        id: ++oid,
        kind: 'orphan-receipt',
        subject: `${kind === 'acceptance' ? 'ACCETTAZIONE' : kind === 'delivery' ? 'CONSEGNA' : 'AVVISO DI MANCATA CONSEGNA'}: ${subject(r, new Date(ms).getUTCFullYear())}`,
        sender: `posta-certificata@${prov.domain}`,
        account,
        at: iso(ms),
        identificativo: `${prov.prefix}.${stamp(ms)}.${int(r, 10000, 99999)}.${int(r, 100, 999)}.1.${int(r, 10, 99)}@${prov.domain}`,
        receipt_kind: kind,
        refers_to: `<${(ms / 1000).toString(36)}.x${i}@${account.split('@')[1]}>`,
        proof_ok: ok,
        problems: ok ? [] : [PROBLEMS[0]],
        _ms: ms,
        _provider: provider,
      });
    } else {
      out.push({
        id: ++rid,
        kind: 'received',
        subject: subject(r, new Date(ms).getUTCFullYear()),
        sender: pecAddress(r),
        account,
        at: iso(ms),
        identificativo: `${prov.prefix}.${stamp(ms)}.${int(r, 10000, 99999)}.${int(r, 100, 999)}.1.${int(r, 10, 99)}@${prov.domain}`,
        receipt_kind: null,
        refers_to: null,
        proof_ok: ok,
        problems: ok ? [] : [PROBLEMS[2]],
        _ms: ms,
        _provider: provider,
      });
    }
  }
  return out;
}

/** Europe/Rome UTC offset (hours) at an instant: EU rule, last Sunday of March/October at 01:00 UTC. */
export function romeOffsetHours(ms: number): number {
  const y = new Date(ms).getUTCFullYear();
  const lastSunday = (month: number) => {
    const d = new Date(Date.UTC(y, month + 1, 0));
    return Date.UTC(y, month, d.getUTCDate() - d.getUTCDay(), 1);
  };
  return ms >= lastSunday(2) && ms < lastSunday(9) ? 2 : 1;
}

/** yyyymmdd (as a number) of the Europe/Rome day of an instant. */
export function romeDayNumber(ms: number): number {
  const d = new Date(ms + romeOffsetHours(ms) * 3_600_000);
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}
