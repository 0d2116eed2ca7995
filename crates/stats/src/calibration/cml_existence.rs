//! Whether conditional ML estimates exist: Fischer's (1981) graph condition.
//!
//! Fischer (1981, *Psychometrika* 46, 59–77) proved that the CML estimates of
//! the Rasch model exist, finite and unique (up to the normalisation), if and
//! only if the directed graph on the items with an arc `i → j` whenever some
//! person answered `i` right and `j` wrong is strongly connected; the same
//! holds for incomplete designs. Otherwise the items split into two groups
//! such that everybody who answered any item of one group right answered
//! every item of the other right (Guttman-like data): the likelihood keeps
//! growing as the two groups move apart, and the estimates run off to
//! infinity.
//!
//! For the partial credit and rating scale models the arc `i → j` means
//! that some person scored above 0 on `i` and below the maximum on `j` (a
//! point could have been scored on `j` instead of `i`); strong connectivity
//! of this graph is necessary for finite item locations (without it the
//! conditional likelihood is again unbounded along the split), while each
//! threshold also needs its category observed, which
//! [`super::CalibrationError::EmptyCategory`] checks.

use super::CalibrationError;
use exam_core::responses::ResponseMatrix;

/// Checks Fischer's condition on the items `position` maps to an index
/// (`None` for items left out), with `maximum[j]` item `j`'s highest score,
/// over the persons `keep` accepts. On failure the error names both groups.
pub(crate) fn check_strongly_connected(
    data: &ResponseMatrix,
    position: &[Option<usize>],
    maximum: &[usize],
    keep: impl Fn(usize) -> bool,
) -> Result<(), CalibrationError> {
    let k = position.iter().flatten().count();
    if k < 2 {
        return Ok(());
    }
    let words = k.div_ceil(64);
    // arcs[i * words..]: the items j with an arc i → j, as a bit set.
    let mut arcs = vec![0u64; k * words];
    let mut room = vec![0u64; words];
    let mut scored = Vec::with_capacity(k);
    for block in data.blocks() {
        let width = block.n_items();
        let columns: Vec<(usize, usize, usize)> = block
            .items()
            .iter()
            .enumerate()
            .filter_map(|(c, &j)| position[j].map(|i| (c, i, maximum[j])))
            .collect();
        for (row, &person) in block.scores().chunks_exact(width).zip(block.persons()) {
            if !keep(person) {
                continue;
            }
            room.fill(0);
            scored.clear();
            for &(c, i, max) in &columns {
                let x = usize::from(row[c]);
                if x < max {
                    room[i / 64] |= 1 << (i % 64);
                }
                if x > 0 {
                    scored.push(i);
                }
            }
            for &i in &scored {
                for (arc, r) in arcs[i * words..(i + 1) * words].iter_mut().zip(&room) {
                    *arc |= r;
                }
            }
        }
    }
    let has_arc = |i: usize, j: usize| arcs[i * words + j / 64] & (1 << (j % 64)) != 0;
    // Items reachable from item 0 along the arcs, and items that reach it.
    // A group closed under outgoing arcs is the one that runs off upwards.
    let forward = reachable(k, has_arc);
    let harder: Vec<usize> = if forward.iter().all(|&r| r) {
        let backward = reachable(k, |i, j| has_arc(j, i));
        if backward.iter().all(|&r| r) {
            return Ok(());
        }
        (0..k).filter(|&i| !backward[i]).collect()
    } else {
        (0..k).filter(|&i| forward[i]).collect()
    };
    let mut is_harder = vec![false; k];
    for &i in &harder {
        is_harder[i] = true;
    }
    let (mut higher, mut lower) = (Vec::new(), Vec::new());
    for (j, p) in position.iter().enumerate() {
        if let Some(i) = *p {
            let id = data.items()[j].clone();
            if is_harder[i] {
                higher.push(id);
            } else {
                lower.push(id);
            }
        }
    }
    Err(CalibrationError::NoFiniteCmlEstimates { higher, lower })
}

/// Which of `k` nodes a search from node 0 reaches along `arc(from, to)`.
fn reachable(k: usize, arc: impl Fn(usize, usize) -> bool) -> Vec<bool> {
    let mut seen = vec![false; k];
    seen[0] = true;
    let mut stack = vec![0];
    while let Some(i) = stack.pop() {
        for (j, s) in seen.iter_mut().enumerate() {
            if !*s && arc(i, j) {
                *s = true;
                stack.push(j);
            }
        }
    }
    seen
}
