//! What to write to each table, and what the target would lose: pure
//! functions over rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{KindCount, Loss, RowKind, SessionName, tables::*};

/// What to write to one table.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Plan {
    pub(super) table: usize,
    pub(super) add: Vec<Row>,
    pub(super) update: Vec<Row>,
    /// Rows to remove, as the target has them.
    pub(super) remove: Vec<Row>,
    pub(super) unchanged: u64,
    pub(super) kept: u64,
}

impl Plan {
    pub(super) fn count(&self, kind: RowKind) -> KindCount {
        KindCount {
            kind,
            added: self.add.len() as u64,
            updated: self.update.len() as u64,
            removed: self.remove.len() as u64,
            unchanged: self.unchanged,
            kept: self.kept,
        }
    }
}

/// Works out how to make the target's rows of one table match the source's.
pub(super) fn plan(t: &Table, source: &[Row], target: &[Row]) -> Plan {
    let table = TABLES.iter().position(|x| x.name == t.name).unwrap_or(0);
    match t.mode {
        Mode::Mirror | Mode::AddOnly => {
            let mut p = mirror(t.key, source, target);
            p.table = table;
            if t.mode == Mode::AddOnly {
                p.kept = p.remove.len() as u64;
                p.remove.clear();
            }
            p
        }
        Mode::Log => {
            let mut p = append_log(source, target);
            p.table = table;
            p
        }
    }
}

/// Rows to add, update and remove, by primary key (the first `key`
/// columns).
fn mirror(key: usize, source: &[Row], target: &[Row]) -> Plan {
    let ours: BTreeMap<&[Val], &Row> = target.iter().map(|r| (&r[..key], r)).collect();
    let theirs: BTreeSet<&[Val]> = source.iter().map(|r| &r[..key]).collect();
    let mut p = Plan::default();
    for row in source {
        match ours.get(&row[..key]) {
            None => p.add.push(row.clone()),
            Some(here) if *here == row => p.unchanged += 1,
            Some(_) => p.update.push(row.clone()),
        }
    }
    p.remove = target
        .iter()
        .filter(|r| !theirs.contains(&r[..key]))
        .cloned()
        .collect();
    p
}

/// A log (`id`, owner, content…): per owner, the target's entries must be
/// the start of the source's; the rest is appended. Otherwise (only with
/// `replace`) the owner's entries are replaced.
fn append_log(source: &[Row], target: &[Row]) -> Plan {
    let by_owner = |rows: &[Row]| {
        let mut m: BTreeMap<Val, Vec<Row>> = BTreeMap::new();
        for r in rows {
            m.entry(r[1].clone()).or_default().push(r.clone());
        }
        m
    };
    let theirs = by_owner(source);
    let mut ours = by_owner(target);
    let mut p = Plan::default();
    for (owner, entries) in theirs {
        let here = ours.remove(&owner).unwrap_or_default();
        if is_log_prefix(&here, &entries) {
            p.unchanged += here.len() as u64;
            p.add.extend(entries.into_iter().skip(here.len()));
        } else {
            p.remove.extend(here);
            p.add.extend(entries);
        }
    }
    for (_, here) in ours {
        p.remove.extend(here);
    }
    p
}

/// Whether log entries `here` are the first entries of `theirs` (ids
/// aside).
fn is_log_prefix(here: &[Row], theirs: &[Row]) -> bool {
    here.len() <= theirs.len() && here.iter().zip(theirs).all(|(a, b)| a[1..] == b[1..])
}

/// What the target's copy has that the source lacks: history the import
/// would lose. Empty when the target's copy is an older state of the
/// source's (or absent).
pub(super) fn lost_history(theirs: &[Vec<Row>], ours: &[Vec<Row>]) -> Vec<Loss> {
    let mut lost = Vec::new();
    let s = &TABLES[SESSIONS];
    let title_col = s.column("title");
    let titles: HashMap<&Val, &str> = ours[SESSIONS]
        .iter()
        .chain(&theirs[SESSIONS])
        .map(|r| (&r[0], r[title_col].text().unwrap_or_default()))
        .collect();
    let name = |id: &Val| SessionName {
        id: id.text().unwrap_or_default().to_string(),
        title: titles.get(id).copied().unwrap_or_default().to_string(),
    };
    let their_sessions: BTreeSet<&Val> = theirs[SESSIONS].iter().map(|r| &r[0]).collect();
    for r in &ours[SESSIONS] {
        if !their_sessions.contains(&r[0]) {
            lost.push(Loss::Session(name(&r[0])));
        }
    }
    // Events: every one here must be in the file, unchanged.
    let their_events: BTreeMap<&[Val], &Row> =
        theirs[EVENTS].iter().map(|r| (&r[..2], r)).collect();
    let mut diverged: BTreeMap<&Val, (u64, i64, i64)> = BTreeMap::new();
    for r in &ours[EVENTS] {
        if their_events.get(&r[..2]).is_some_and(|t| *t == r) {
            continue;
        }
        let seq = r[1].int().unwrap_or(0);
        let e = diverged.entry(&r[0]).or_insert((0, seq, seq));
        e.0 += 1;
        e.1 = e.1.min(seq);
        e.2 = e.2.max(seq);
    }
    for (session, (count, first, last)) in diverged {
        if !their_sessions.contains(session) {
            continue; // Already said.
        }
        lost.push(Loss::Changes {
            session: name(session),
            count,
            first,
            last,
        });
    }
    // Logs: here must be the start of the file's.
    for (i, t) in TABLES.iter().enumerate() {
        if t.mode != Mode::Log {
            continue;
        }
        let p = append_log(&theirs[i], &ours[i]);
        if p.remove.is_empty() {
            continue;
        }
        let owners: BTreeSet<&Val> = p.remove.iter().map(|r| &r[1]).collect();
        for owner in owners {
            if t.name == "audit_log" {
                if their_sessions.contains(owner) {
                    lost.push(Loss::ModerationLog(name(owner)));
                }
            } else {
                lost.push(Loss::RollupLog);
            }
        }
    }
    let their_clusters: BTreeSet<&Val> = theirs[CLUSTERS].iter().map(|r| &r[0]).collect();
    let extra = ours[CLUSTERS]
        .iter()
        .filter(|r| !their_clusters.contains(&r[0]))
        .count();
    if extra > 0 {
        lost.push(Loss::Clusters(extra as u64));
    }
    lost
}

/// Makes each session's change counter at least its highest event number,
/// so that the next change made here gets a higher one (a consistent file
/// has that already).
pub(super) fn counters_cover_events(tables: &mut [Vec<Row>]) {
    let mut highest: HashMap<Val, i64> = HashMap::new();
    for e in &tables[EVENTS] {
        let seq = e[1].int().unwrap_or(0);
        let h = highest.entry(e[0].clone()).or_insert(seq);
        *h = (*h).max(seq);
    }
    let col = TABLES[SESSIONS].column("last_seq");
    for s in tables[SESSIONS].iter_mut() {
        let top = highest.get(&s[0]).copied().unwrap_or(0);
        if s[col].int().unwrap_or(0) < top {
            s[col] = Val::Int(top);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::transfer::tables::AUDIT;

    fn t(s: &str) -> Val {
        Val::Text(s.into())
    }

    fn vote(p: &str, c: &str, dots: i64) -> Row {
        vec![t(p), t(c), t("q"), Val::Int(dots), Val::Int(1)]
    }

    fn log(id: i64, owner: &str, action: &str) -> Row {
        vec![
            Val::Int(id),
            t(owner),
            Val::Int(1),
            t("a@x"),
            t(action),
            Val::Null,
            Val::Null,
            Val::Null,
        ]
    }

    #[test]
    fn a_mirror_adds_updates_removes_and_leaves_equal_rows_alone() {
        let votes = &TABLES[10];
        assert_eq!(votes.name, "votes");
        let here = vec![
            vote("p1", "c1", 1),
            vote("p1", "c2", 2),
            vote("p2", "c1", 1),
        ];
        let file = vec![
            vote("p1", "c1", 1),
            vote("p1", "c2", 3),
            vote("p3", "c1", 1),
        ];
        let p = plan(votes, &file, &here);
        assert_eq!(p.add, vec![vote("p3", "c1", 1)]);
        assert_eq!(p.update, vec![vote("p1", "c2", 3)]);
        assert_eq!(p.remove, vec![vote("p2", "c1", 1)]);
        assert_eq!(p.unchanged, 1);
        let again = plan(votes, &file, &file);
        assert!(again.add.is_empty() && again.update.is_empty() && again.remove.is_empty());
        assert_eq!(again.unchanged, 3);
    }

    #[test]
    fn members_are_only_added() {
        let members = &TABLES[1];
        let here = vec![vec![t("w"), t("central")]];
        let file = vec![vec![t("w"), t("venue")]];
        let p = plan(members, &file, &here);
        assert_eq!(p.add.len(), 1);
        assert!(p.remove.is_empty());
        assert_eq!(p.kept, 1);
    }

    #[test]
    fn logs_are_appended_when_here_is_their_start() {
        let here = vec![log(7, "s1", "hide")];
        let file = vec![log(1, "s1", "hide"), log(2, "s1", "merge")];
        let p = append_log(&file, &here);
        assert_eq!(p.add, vec![log(2, "s1", "merge")]);
        assert_eq!(p.unchanged, 1);
        assert!(p.remove.is_empty());
        // Something else here: replaced (only ever with --replace).
        let here = vec![log(7, "s1", "edit")];
        let p = append_log(&file, &here);
        assert_eq!(p.remove.len(), 1);
        assert_eq!(p.add.len(), 2);
    }

    fn world(sessions: &[&str], events: &[(&str, i64, &str)], audit: &[Row]) -> Vec<Vec<Row>> {
        let mut w: Vec<Vec<Row>> = TABLES.iter().map(|_| Vec::new()).collect();
        for s in sessions {
            w[SESSIONS].push(vec![
                t(s),
                t("w"),
                t("Hari 1"),
                Val::Int(123456),
                Val::Int(0),
                Val::Int(0),
                Val::Int(0),
                Val::Null,
            ]);
        }
        for (s, seq, payload) in events {
            w[EVENTS].push(vec![
                t(s),
                Val::Int(*seq),
                t("k"),
                t(payload),
                Val::Int(0),
                t("all"),
                Val::Null,
            ]);
        }
        w[AUDIT] = audit.to_vec();
        w
    }

    #[test]
    fn an_older_copy_here_loses_nothing() {
        let here = world(&["s1"], &[("s1", 1, "a")], &[log(3, "s1", "hide")]);
        let file = world(
            &["s1", "s2"],
            &[("s1", 1, "a"), ("s1", 2, "b")],
            &[log(1, "s1", "hide"), log(2, "s1", "merge")],
        );
        assert!(lost_history(&file, &here).is_empty());
        assert!(lost_history(&file, &world(&[], &[], &[])).is_empty());
    }

    #[test]
    fn history_only_here_is_named() {
        let file = world(&["s1"], &[("s1", 1, "a")], &[log(1, "s1", "hide")]);
        let here = world(
            &["s1", "s9"],
            &[("s1", 1, "a"), ("s1", 2, "central"), ("s1", 3, "central")],
            &[log(1, "s1", "edit")],
        );
        let lost = lost_history(&file, &here);
        assert_eq!(lost.len(), 3, "{lost:?}");
        assert!(
            matches!(&lost[0], Loss::Session(s) if s.id == "s9"),
            "{lost:?}"
        );
        assert!(
            matches!(
                &lost[1],
                Loss::Changes { session, count: 2, first: 2, last: 3 } if session.id == "s1"
            ),
            "{lost:?}"
        );
        assert!(
            matches!(&lost[2], Loss::ModerationLog(s) if s.id == "s1"),
            "{lost:?}"
        );
        // A changed event counts too.
        let here = world(&["s1"], &[("s1", 1, "other")], &[]);
        assert_eq!(lost_history(&file, &here).len(), 1);
    }

    #[test]
    fn session_counters_cover_their_events() {
        let mut w = world(&["s1", "s2"], &[("s1", 4, "a"), ("s1", 7, "b")], &[]);
        w[SESSIONS][1][4] = Val::Int(9);
        counters_cover_events(&mut w);
        assert_eq!(w[SESSIONS][0][4], Val::Int(7));
        assert_eq!(w[SESSIONS][1][4], Val::Int(9), "never lowered");
    }
}
