// The timeline of one card: inviato -> accettato -> one branch per recipient.
import type { CardDetail, Receipt, RecipientState, RecipientType } from './types';

export type StepKind = 'sent' | 'accepted' | 'not-accepted' | 'not-yet-accepted' | 'received';

export interface Step {
  kind: StepKind;
  at: string | null;
  receipt: Receipt | null;
}

export interface Branch {
  address: string;
  type: RecipientType;
  state: RecipientState;
  at: string | null;
  error: string | null;
  /** The receipt that decided the state (delivery / failure / warning), if any. */
  receipt: Receipt | null;
  /** A 12 h warning received before the final outcome, if any. */
  warning: Receipt | null;
}

export interface Timeline {
  steps: Step[];
  branches: Branch[];
}

const OUTCOME: Partial<Record<Receipt['kind'], true>> = { delivery: true, 'delivery-error': true, 'virus-detected': true };

function same(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function buildTimeline(d: CardDetail): Timeline {
  const c = d.card;
  const steps: Step[] = [];
  // A receipt without its sent message has no timeline of its own: only the receipt.
  if (d.origin === 'orphan') return { steps, branches: [] };
  if (d.origin === 'received') {
    const transport = d.receipts.find((r) => r.kind === 'transport') ?? null;
    steps.push({ kind: 'received', at: transport?.at ?? c.sent_at, receipt: transport });
    return { steps, branches: [] };
  }
  steps.push({ kind: 'sent', at: c.sent_at, receipt: null });
  const acc = d.receipts.find((r) => r.kind === 'acceptance') ?? null;
  const nonAcc = d.receipts.find((r) => r.kind === 'non-acceptance') ?? null;
  if (c.state === 'not-accepted' || nonAcc) {
    steps.push({ kind: 'not-accepted', at: nonAcc?.at ?? null, receipt: nonAcc });
    return { steps, branches: [] };
  }
  steps.push(acc || c.accepted_at ? { kind: 'accepted', at: acc?.at ?? c.accepted_at, receipt: acc } : { kind: 'not-yet-accepted', at: null, receipt: null });
  const branches: Branch[] = c.recipients.map((r) => {
    const mine = d.receipts.filter((x) => same(x.recipient, r.address));
    const receipt = mine.find((x) => OUTCOME[x.kind]) ?? null;
    const warning = mine.find((x) => x.kind === 'delivery-warning') ?? null;
    return {
      address: r.address,
      type: r.type,
      state: r.state,
      at: r.at ?? receipt?.at ?? warning?.at ?? null,
      error: r.error,
      receipt: receipt ?? (r.state === 'warned' ? warning : null),
      warning: receipt ? warning : null,
    };
  });
  return { steps, branches };
}
