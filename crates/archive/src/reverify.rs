//! Re-judging stored signatures, e.g. after the user imports trust anchors (`scan
//! --reverify --trust FILE`): the verdict of a message depends on the anchors known
//! when it was scanned, and rescans skip known files.
//!
//! Reads every signed message's blob, verifies it again through [`crate::signature`],
//! updates the verdicts that changed and recomputes the cards they belong to. One
//! transaction per batch, so an interrupted run leaves each row either old or new and
//! the dirty cards are finished by the next scan.
use rusqlite::params;

use crate::error::Result;
use crate::signature::{self, Verifier};
use crate::Archive;

const BATCH: usize = 500;

/// Returns (messages checked, verdicts changed).
pub fn reverify(a: &mut Archive, verifier: &Verifier) -> Result<(u64, u64)> {
    let ids: Vec<(i64, String)> = {
        let mut st = a.conn.prepare("SELECT id, sha256 FROM messages WHERE sig_integrity <> 'unsigned' ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let (mut checked, mut changed) = (0u64, 0u64);
    for chunk in ids.chunks(BATCH) {
        let mut updates = Vec::new();
        for (id, sha) in chunk {
            let bytes = a.blobs.read(sha)?;
            let Ok(msg) = pec::parse_message(&bytes) else { continue };
            let sig = signature::check(&msg, verifier);
            checked += 1;
            updates.push((*id, sig));
        }
        let tx = a.conn.transaction()?;
        for (id, sig) in updates {
            let n = tx.execute(
                "UPDATE messages SET sig_integrity = ?2, sig_trust = ?3, sig_detail = ?4, signer = ?5
                 WHERE id = ?1 AND (sig_integrity IS NOT ?2 OR sig_trust IS NOT ?3 OR sig_detail IS NOT ?4 OR signer IS NOT ?5)",
                params![id, sig.integrity, sig.trust, sig.detail, sig.signer],
            )?;
            if n > 0 {
                changed += 1;
                tx.execute("INSERT OR IGNORE INTO dirty (key) SELECT key FROM cards WHERE id IN (SELECT card FROM card_messages WHERE message = ?1)", [id])?;
            }
        }
        tx.commit()?;
    }
    crate::pairing::process_dirty(&mut a.conn)?;
    Ok((checked, changed))
}
