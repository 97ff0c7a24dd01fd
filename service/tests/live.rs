//! The live stream: ordered, complete, resumable.

mod common;

use std::time::Duration;

use common::{World, world};
use futures::{Stream, StreamExt};
use rembuk_domain::{event::LiveEvent, snapshot::Applied};
use rembuk_service::live::Audience;

/// One parsed SSE message.
#[derive(Debug)]
struct Message {
    id: Option<u64>,
    event: Option<LiveEvent>,
}

/// Reads SSE messages until `until` says stop or 5 s pass.
async fn read_until(
    stream: &mut (impl Stream<Item = bytes::Bytes> + Unpin),
    mut until: impl FnMut(&[Message]) -> bool,
) -> Vec<Message> {
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !until(&out) {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("stream stalled")
            .expect("ended");
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut m = Message {
                id: None,
                event: None,
            };
            for line in block.lines() {
                if let Some(id) = line.strip_prefix("id: ") {
                    m.id = Some(id.parse().unwrap());
                } else if let Some(data) = line.strip_prefix("data: ") {
                    m.event = Some(serde_json::from_str(data).unwrap());
                }
            }
            if m.event.is_some() {
                out.push(m);
            }
        }
    }
    out
}

fn last_id(messages: &[Message]) -> u64 {
    messages.iter().filter_map(|m| m.id).max().unwrap_or(0)
}

#[tokio::test]
async fn a_stream_delivers_every_change_in_order_and_screens_converge() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let mut screen = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    let mut stream = Box::pin(
        w.services
            .live()
            .subscribe(s.id, Some(screen.seq), Audience::Staff),
    );

    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "community").await;
    let mut cards = vec![];
    for i in 0..5 {
        cards.push(
            w.services
                .submit_card(&p, q.id, &World::card(&format!("Masalah nomor {i}")), None)
                .await
                .unwrap()
                .card,
        );
    }
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    let voters: Vec<_> =
        futures::future::join_all((0..8).map(|_| w.participant(&s, "academia"))).await;
    for (i, v) in voters.iter().enumerate() {
        w.services
            .vote(v, cards[i % 5].id, 1 + (i % 3) as i64)
            .await
            .unwrap();
    }
    let expected = w.services.session_snapshot(&w.admin, s.id).await.unwrap();

    let messages = read_until(&mut stream, |m| last_id(m) >= expected.seq).await;
    let mut prev = screen.seq;
    for m in &messages {
        let id = m.id.unwrap();
        assert!(id > prev, "ids must increase: {prev} then {id}");
        prev = id;
        assert_eq!(screen.apply(id, m.event.as_ref().unwrap()), Applied::Ok);
    }
    screen.cards.sort_by_key(|c| c.id);
    let mut expected_cards = expected.cards.clone();
    expected_cards.sort_by_key(|c| c.id);
    assert_eq!(
        screen.cards, expected_cards,
        "the screen must show what the database holds"
    );
    assert_eq!(screen.questions, expected.questions);
    assert_eq!(screen.participant_count(), expected.participant_count());
}

#[tokio::test]
async fn resuming_from_any_point_replays_exactly_what_was_missed() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "media").await;
    for i in 0..4 {
        w.services
            .submit_card(&p, q.id, &World::card(&format!("Kartu {i}")), None)
            .await
            .unwrap();
    }
    let end = w.seq(s.id).await;
    for resume_at in 0..end {
        let mut stream = Box::pin(w.services.live().subscribe(
            s.id,
            Some(resume_at),
            Audience::Staff,
        ));
        let messages = read_until(&mut stream, |m| last_id(m) >= end).await;
        let ids: Vec<u64> = messages.iter().filter_map(|m| m.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        assert!(
            ids[0] > resume_at,
            "nothing before the resume point: {ids:?}"
        );
        assert_eq!(*ids.last().unwrap(), end);
        let cards_seen = messages
            .iter()
            .filter(|m| matches!(m.event, Some(LiveEvent::CardAdded { .. })))
            .count();
        let cards_expected = (resume_at + 1..=end).filter(|seq| *seq >= end - 3).count();
        assert_eq!(cards_seen, cards_expected, "resume at {resume_at}");
    }
}

#[tokio::test]
async fn a_client_from_another_history_is_told_to_resync() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    w.question(&w.admin, s.id, "problems").await;
    let mut stream = Box::pin(
        w.services
            .live()
            .subscribe(s.id, Some(999), Audience::Staff),
    );
    let messages = read_until(&mut stream, |m| !m.is_empty()).await;
    assert!(
        matches!(messages[0].event, Some(LiveEvent::Resync { seq: 1 })),
        "{messages:?}"
    );
}

#[tokio::test]
async fn a_new_stream_starts_with_ready_and_then_follows() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let mut stream = Box::pin(w.services.live().subscribe(s.id, None, Audience::Staff));
    let first = read_until(&mut stream, |m| !m.is_empty()).await;
    assert!(matches!(first[0].event, Some(LiveEvent::Ready { seq: 0 })));
    w.question(&w.admin, s.id, "ideas").await;
    let next = read_until(&mut stream, |m| !m.is_empty()).await;
    assert!(matches!(
        next[0].event,
        Some(LiveEvent::QuestionAdded { .. })
    ));
    assert_eq!(next[0].id, Some(1));
}

/// Proxies and phones drop a connection that stays silent (nginx after
/// 60 s by default): an idle stream sends a comment after 20 s. Waits in
/// real time, so that nothing but the stream's own timer is tested; the
/// bound above is loose for a busy test machine.
#[tokio::test]
async fn an_idle_stream_sends_a_keep_alive_comment_after_twenty_seconds() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let started = tokio::time::Instant::now();
    let mut stream = Box::pin(
        w.services
            .live()
            .subscribe(s.id, None, Audience::Participant),
    );
    let first = read_until(&mut stream, |m| !m.is_empty()).await;
    assert!(matches!(first[0].event, Some(LiveEvent::Ready { seq: 0 })));
    let next = tokio::time::timeout(Duration::from_secs(30), stream.next())
        .await
        .expect("no keep-alive within 30 s")
        .expect("the stream ended");
    let waited = started.elapsed();
    assert_eq!(next, bytes::Bytes::from_static(b": keep-alive\n\n"));
    assert!(
        waited >= Duration::from_secs(20),
        "the keep-alive came early, after {waited:?}"
    );
}

#[tokio::test]
async fn a_burst_of_votes_arrives_as_few_messages() {
    let w = world().await;
    let (s, card) = w.card_up_for_vote("Air bersih").await;
    let voters: Vec<_> =
        futures::future::join_all((0..60).map(|_| w.participant(&s, "community"))).await;
    let start = w.seq(s.id).await;
    let mut stream = Box::pin(
        w.services
            .live()
            .subscribe(s.id, Some(start), Audience::Staff),
    );
    let tasks: Vec<_> = voters
        .into_iter()
        .map(|v| {
            let services = w.services.clone();
            tokio::spawn(async move { services.vote(&v, card.id, 1).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let end = w
        .services
        .session_snapshot(&w.admin, s.id)
        .await
        .unwrap()
        .seq;
    let messages = read_until(&mut stream, |m| last_id(m) >= end).await;
    let last = messages.iter().rev().find_map(|m| match &m.event {
        Some(LiveEvent::Counts { cards, .. }) => {
            cards.iter().find(|t| t.card_id == card.id).map(|t| t.dots)
        }
        _ => None,
    });
    assert_eq!(last, Some(60));
    assert!(
        messages.len() < 60,
        "60 votes became {} messages",
        messages.len()
    );
}

#[tokio::test]
async fn screens_that_start_during_a_burst_of_votes_converge() {
    // A screen's snapshot, read from the database, is usually ahead of the
    // hub, which waits out its window: the hub's next run of counts then
    // starts before the snapshot's number. The stream must send it (not
    // skip it, not go back to the database for every frame), and the
    // screen must end where the database is.
    let w = world().await;
    let (s, card) = w.card_up_for_vote("Jalan desa").await;
    let voters: Vec<_> =
        futures::future::join_all((0..40).map(|_| w.participant(&s, "community"))).await;
    let voting = {
        let services = w.services.clone();
        tokio::spawn(async move {
            for round in 0..5_i64 {
                for v in &voters {
                    services.vote(v, card.id, (round + 1) % 3).await.unwrap();
                }
            }
        })
    };
    let mut screens = vec![];
    while !voting.is_finished() {
        let screen = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
        let stream = Box::pin(
            w.services
                .live()
                .subscribe(s.id, Some(screen.seq), Audience::Staff),
        );
        screens.push((screen, stream));
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    voting.await.unwrap();
    let expected = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    let during = screens
        .iter()
        .filter(|(screen, _)| screen.seq < expected.seq)
        .count();
    assert!(
        during >= 3,
        "only {during} screens started during the votes"
    );
    for (mut screen, mut stream) in screens {
        let start = screen.seq;
        if start == expected.seq {
            // Read after the last vote: the stream has nothing to send.
            continue;
        }
        let messages = read_until(&mut stream, |m| last_id(m) >= expected.seq).await;
        for m in &messages {
            let id = m.id.unwrap();
            assert!(
                id > screen.seq,
                "ids must increase: {} then {id}",
                screen.seq
            );
            assert_eq!(screen.apply(id, m.event.as_ref().unwrap()), Applied::Ok);
        }
        assert_eq!(screen.seq, expected.seq, "screen from {start}");
        assert_eq!(screen.cards, expected.cards, "screen from {start}");
    }
}

#[tokio::test]
async fn a_new_passcode_reaches_staff_screens_and_never_participants() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let mut staff = Box::pin(w.services.live().subscribe(s.id, Some(0), Audience::Staff));
    let mut phone = Box::pin(
        w.services
            .live()
            .subscribe(s.id, Some(0), Audience::Participant),
    );
    let before = w.services.session_snapshot(&w.admin, s.id).await.unwrap();

    w.services
        .set_passcode(&w.admin, s.id, Some("4821"))
        .await
        .unwrap();
    let heard = read_until(&mut staff, |m| !m.is_empty()).await;
    assert!(
        matches!(&heard[0].event, Some(LiveEvent::PasscodeChanged { passcode: Some(p) }) if p == "4821"),
        "{heard:?}"
    );
    // A staff screen that applies it shows the new passcode.
    let mut screen = before.clone();
    let id = heard[0].id.unwrap();
    assert_eq!(
        screen.apply(id, heard[0].event.as_ref().unwrap()),
        Applied::Ok
    );
    assert_eq!(screen.session.passcode.as_deref(), Some("4821"));

    w.services.set_passcode(&w.admin, s.id, None).await.unwrap();
    let cleared = read_until(&mut staff, |m| !m.is_empty()).await;
    assert!(matches!(
        cleared[0].event,
        Some(LiveEvent::PasscodeChanged { passcode: None })
    ));

    // The participant's stream moves past both changes with ids only, and a
    // later public change reaches it.
    w.question(&w.admin, s.id, "ideas").await;
    let seen = read_until(&mut phone, |m| !m.is_empty()).await;
    assert!(
        seen.iter()
            .all(|m| !matches!(m.event, Some(LiveEvent::PasscodeChanged { .. }))),
        "{seen:?}"
    );
    assert!(matches!(
        seen[0].event,
        Some(LiveEvent::QuestionAdded { .. })
    ));
}

#[tokio::test]
async fn phones_get_totals_and_staff_the_dots_per_group() {
    let w = world().await;
    let (s, card) = w.card_up_for_vote("Air bersih").await;
    let start = w.seq(s.id).await;
    let mut staff = Box::pin(
        w.services
            .live()
            .subscribe(s.id, Some(start), Audience::Staff),
    );
    let mut phone = Box::pin(
        w.services
            .live()
            .subscribe(s.id, Some(start), Audience::Participant),
    );
    let voter = w.participant(&s, "community").await;
    w.services.vote(&voter, card.id, 2).await.unwrap();

    let tally_in = |messages: &[Message]| {
        messages.iter().rev().find_map(|m| match &m.event {
            Some(LiveEvent::Counts { cards, .. }) => {
                cards.iter().find(|t| t.card_id == card.id).cloned()
            }
            _ => None,
        })
    };
    let staff_heard = read_until(&mut staff, |m| tally_in(m).is_some()).await;
    let staff_tally = tally_in(&staff_heard).unwrap();
    assert_eq!(staff_tally.dots, 2);
    assert_eq!(staff_tally.by_group.len(), 1);
    assert_eq!(staff_tally.by_group[0].group, "community");
    let phone_heard = read_until(&mut phone, |m| tally_in(m).is_some()).await;
    let phone_tally = tally_in(&phone_heard).unwrap();
    assert_eq!(phone_tally.dots, 2);
    assert!(phone_tally.by_group.is_empty(), "{phone_tally:?}");

    // The snapshots say the same.
    let staff_view = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    let seen = |snap: &rembuk_domain::snapshot::SessionSnapshot| {
        snap.cards.iter().find(|c| c.id == card.id).unwrap().clone()
    };
    assert_eq!(seen(&staff_view).dots_by_group.len(), 1);
    let phone_view = w.services.session_snapshot(&voter, s.id).await.unwrap();
    assert_eq!(seen(&phone_view).dots, 2);
    assert!(seen(&phone_view).dots_by_group.is_empty());
}

#[tokio::test]
async fn each_session_has_its_own_channel_while_anyone_listens() {
    let w = world().await;
    let (_, a) = w.session(&w.admin).await;
    let (_, b) = w.session(&w.admin).await;
    let live = w.services.live();
    assert_eq!(live.sessions_listened(), 0);

    let mut in_a = Box::pin(live.subscribe(a.id, None, Audience::Staff));
    let in_a_too = Box::pin(live.subscribe(a.id, None, Audience::Participant));
    let mut in_b = Box::pin(live.subscribe(b.id, None, Audience::Staff));
    assert_eq!(live.sessions_listened(), 2);
    assert_eq!(live.subscriber_count(), 3);
    read_until(&mut in_a, |m| !m.is_empty()).await; // ready
    read_until(&mut in_b, |m| !m.is_empty()).await;

    // A change in A reaches A's stream; B's hears nothing of it, and then
    // its own change.
    w.question(&w.admin, a.id, "problems").await;
    let heard = read_until(&mut in_a, |m| !m.is_empty()).await;
    assert!(matches!(
        heard[0].event,
        Some(LiveEvent::QuestionAdded { .. })
    ));
    w.question(&w.admin, b.id, "ideas").await;
    let heard = read_until(&mut in_b, |m| !m.is_empty()).await;
    let Some(LiveEvent::QuestionAdded { question }) = &heard[0].event else {
        panic!("{heard:?}")
    };
    assert_eq!(question.session_id, b.id);
    assert_eq!(heard[0].id, Some(1), "B's first change, nothing of A's");

    // The channel goes with its last listener.
    drop(in_a);
    assert_eq!(live.sessions_listened(), 2);
    drop(in_a_too);
    assert_eq!(live.sessions_listened(), 1);
    drop(in_b);
    assert_eq!(live.sessions_listened(), 0);
    assert_eq!(live.subscriber_count(), 0);

    // A change nobody listens to is skipped by the hub; a later listener
    // still gets it from the database.
    w.question(&w.admin, a.id, "ideas").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut late = Box::pin(live.subscribe(a.id, Some(1), Audience::Staff));
    let heard = read_until(&mut late, |m| last_id(m) >= 2).await;
    assert!(
        heard
            .iter()
            .any(|m| m.id == Some(2) && matches!(m.event, Some(LiveEvent::QuestionAdded { .. }))),
        "{heard:?}"
    );
}

#[tokio::test]
async fn closing_the_hub_ends_every_stream_and_any_opened_after() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let live = w.services.live();
    let mut open = Box::pin(live.subscribe(s.id, None, Audience::Participant));
    read_until(&mut open, |m| !m.is_empty()).await; // ready

    live.close();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while open.next().await.is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "an open stream ends when the hub closes");
    let mut late = Box::pin(live.subscribe(s.id, None, Audience::Staff));
    assert!(
        tokio::time::timeout(Duration::from_secs(5), late.next())
            .await
            .expect("a stream opened after closing does not wait")
            .is_none()
    );
}

/// A card's tally counts each voter's dots in the voter's group, also
/// after they change group: the live tally and the snapshot agree.
#[tokio::test]
async fn a_merged_cards_tally_counts_each_voters_dots_for_their_group() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let community = w.participant(&s, "community").await;
    let academia = w.participant(&s, "academia").await;
    let mut cards = Vec::new();
    for (by, text) in [(&community, "Jalan rusak"), (&academia, "Kerusakan jalan")] {
        let input = World::card(text);
        cards.push(
            w.services
                .submit_card(by, q.id, &input, None)
                .await
                .unwrap()
                .card,
        );
    }
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    w.services.vote(&community, cards[0].id, 1).await.unwrap();
    w.services.vote(&academia, cards[0].id, 1).await.unwrap();
    w.services.vote(&academia, cards[1].id, 1).await.unwrap();
    let ids: Vec<_> = cards.iter().map(|c| c.id).collect();
    let merged = w
        .services
        .merge_cards(&w.admin, &ids, "Jalan rusak di desa")
        .await
        .unwrap()
        .card;

    // The next vote on the merged card tallies it from the moved votes.
    let start = w.seq(s.id).await;
    let mut staff = Box::pin(
        w.services
            .live()
            .subscribe(s.id, Some(start), Audience::Staff),
    );
    let media = w.participant(&s, "media").await;
    w.services.vote(&media, merged.id, 1).await.unwrap();
    let groups_in = |messages: &[Message]| {
        messages.iter().rev().find_map(|m| match &m.event {
            Some(LiveEvent::Counts { cards, .. }) => {
                cards.iter().find(|t| t.card_id == merged.id).map(|t| {
                    let mut by: Vec<_> = t
                        .by_group
                        .iter()
                        .map(|g| (g.group.clone(), g.dots))
                        .collect();
                    by.sort();
                    (t.dots, by)
                })
            }
            _ => None,
        })
    };
    let heard = read_until(&mut staff, |m| groups_in(m).is_some()).await;
    let expected = vec![
        ("academia".to_string(), 2),
        ("community".to_string(), 1),
        ("media".to_string(), 1),
    ];
    assert_eq!(groups_in(&heard).unwrap(), (4, expected));
}

#[tokio::test]
async fn a_voters_dots_move_with_them_when_they_change_group() {
    let w = world().await;
    let (s, card) = w.card_up_for_vote("Jalan desa").await;
    let start = w.seq(s.id).await;
    let mut staff = Box::pin(
        w.services
            .live()
            .subscribe(s.id, Some(start), Audience::Staff),
    );
    let mover = w.participant(&s, "community").await;
    let other = w.participant(&s, "academia").await;
    w.services.vote(&mover, card.id, 1).await.unwrap();
    w.services.vote(&other, card.id, 1).await.unwrap();
    // The same phone joins again as another group.
    let input = rembuk_service::JoinInput {
        code: s.join_code.digits(),
        group: "business".into(),
        name: None,
        consent: true,
        passcode: None,
    };
    w.services.join(&mover, &input, None).await.unwrap();
    // The next vote on the card tallies it afresh.
    w.services.vote(&other, card.id, 2).await.unwrap();

    let groups_in = |messages: &[Message]| {
        messages.iter().rev().find_map(|m| match &m.event {
            Some(LiveEvent::Counts { cards, .. }) => cards
                .iter()
                .find(|t| t.card_id == card.id && t.dots == 3)
                .map(|t| {
                    t.by_group
                        .iter()
                        .map(|g| (g.group.clone(), g.dots))
                        .collect::<Vec<_>>()
                }),
            _ => None,
        })
    };
    let heard = read_until(&mut staff, |m| groups_in(m).is_some()).await;
    let expected = vec![("academia".to_string(), 2), ("business".to_string(), 1)];
    assert_eq!(groups_in(&heard).unwrap(), expected);
    let snap = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    let seen = snap.cards.iter().find(|c| c.id == card.id).unwrap();
    let mut by_group: Vec<(String, u32)> = seen
        .dots_by_group
        .iter()
        .map(|g| (g.group.clone(), g.dots))
        .collect();
    by_group.sort();
    assert_eq!(by_group, expected);

    // A vote written without its group, as an import writes one, takes
    // its voter's.
    let mut tx = w.services.store().write().await.unwrap();
    let (voter, question): (String, String) = sqlx::query_as(
        "SELECT participant_id, question_id FROM votes WHERE card_id = $1 AND group_key = 'business'",
    )
    .bind(card.id.to_string())
    .fetch_one(tx.conn())
    .await
    .unwrap();
    sqlx::query("DELETE FROM votes WHERE participant_id = $1 AND card_id = $2")
        .bind(&voter)
        .bind(card.id.to_string())
        .execute(tx.conn())
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO votes (participant_id, card_id, question_id, dots, updated_at)
         VALUES ($1, $2, $3, 1, 0)",
    )
    .bind(&voter)
    .bind(card.id.to_string())
    .bind(&question)
    .execute(tx.conn())
    .await
    .unwrap();
    let group: String = sqlx::query_scalar(
        "SELECT group_key FROM votes WHERE participant_id = $1 AND card_id = $2",
    )
    .bind(&voter)
    .bind(card.id.to_string())
    .fetch_one(tx.conn())
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(group, "business");
}
