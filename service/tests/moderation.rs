//! Facilitation and moderation against a real SQLite file.

mod common;

use std::{collections::HashMap, time::Duration};

use common::{World, world};
use futures::StreamExt;
use rembuk_domain::{
    AppError, Field, Problem,
    audit::AuditAction,
    card::CardStatus,
    question::{Phase, QuestionSettings},
};
use rembuk_service::{CardInput, CardPatch, live::Audience};

#[tokio::test]
async fn premoderated_cards_wait_for_approval_and_only_their_writer_sees_them() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    w.services
        .set_premoderation(&w.admin, s.id, true)
        .await
        .unwrap();
    let writer = w.participant(&s, "community").await;
    let other = w.participant(&s, "media").await;
    let card = w
        .services
        .submit_card(&writer, q.id, &World::card("Pungutan liar di pasar"), None)
        .await
        .unwrap()
        .card;
    assert_eq!(card.status, CardStatus::Pending);
    let seen_by_other = w.services.session_snapshot(&other, s.id).await.unwrap();
    assert!(
        seen_by_other.cards.is_empty(),
        "others do not see a pending card"
    );
    let seen_by_writer = w.services.session_snapshot(&writer, s.id).await.unwrap();
    assert_eq!(
        seen_by_writer.my_unseen_cards(q.id).len(),
        1,
        "the writer sees it as waiting"
    );
    let staff = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    assert_eq!(staff.cards_with(q.id, CardStatus::Pending).len(), 1);

    let approved = w.services.approve_card(&w.admin, card.id).await.unwrap();
    assert_eq!(approved.status, CardStatus::Visible);
    assert_eq!(
        w.services
            .session_snapshot(&other, s.id)
            .await
            .unwrap()
            .cards
            .len(),
        1
    );
    // Paper cards by a facilitator skip the queue.
    let paper = CardInput {
        text: "Ditulis di kertas".into(),
        group: Some("academia".into()),
        on_behalf: true,
        ..Default::default()
    };
    let paper = w
        .services
        .submit_card(&w.admin, q.id, &paper, None)
        .await
        .unwrap()
        .card;
    assert_eq!(paper.status, CardStatus::Visible);
    assert!(paper.on_behalf);
    assert_eq!(paper.group, "academia");
}

#[tokio::test]
async fn hiding_needs_a_reason_frees_dots_and_restoring_fits_the_budget() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "government").await;
    let a = w
        .services
        .submit_card(&p, q.id, &World::card("Kartu A yang kasar"), None)
        .await
        .unwrap()
        .card;
    let b = w
        .services
        .submit_card(&p, q.id, &World::card("Kartu B yang sopan"), None)
        .await
        .unwrap()
        .card;
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    w.services.vote(&p, a.id, 2).await.unwrap();
    assert_eq!(
        w.services
            .update_card(
                &w.admin,
                a.id,
                &CardPatch {
                    hidden: Some(true),
                    ..Default::default()
                }
            )
            .await
            .unwrap_err(),
        AppError::invalid(Field::Reason, Problem::Required)
    );
    let hidden = w
        .services
        .update_card(
            &w.admin,
            a.id,
            &CardPatch {
                hidden: Some(true),
                reason: Some("Kata kasar".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(hidden.status, CardStatus::Hidden);
    assert_eq!(hidden.hidden_reason.as_deref(), Some("Kata kasar"));
    let phone = w.services.session_snapshot(&p, s.id).await.unwrap();
    assert_eq!(
        phone.my_remaining(q.id),
        3,
        "dots on a hidden card go back to the budget"
    );
    assert!(
        phone
            .cards
            .iter()
            .all(|c| c.id != a.id || c.hidden_reason.is_none()),
        "no reasons on phones"
    );
    assert_eq!(w.services.vote(&p, b.id, 3).await.unwrap().remaining, 0);
    assert_eq!(
        w.services.vote(&p, a.id, 1).await.unwrap_err(),
        AppError::not_found(rembuk_domain::Entity::Card)
    );

    let restored = w
        .services
        .update_card(
            &w.admin,
            a.id,
            &CardPatch {
                hidden: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(restored.status, CardStatus::Visible);
    assert_eq!(
        restored.dots, 0,
        "the budget is spent elsewhere, so nothing comes back"
    );
    let phone = w.services.session_snapshot(&p, s.id).await.unwrap();
    assert_eq!(phone.my_used(q.id), 3);
}

#[tokio::test]
async fn edits_keep_the_original_and_tags_must_fit_the_dimension() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "media").await;
    let card = w
        .services
        .submit_card(&p, q.id, &World::card("antrian ktp lama bgt"), None)
        .await
        .unwrap()
        .card;
    let patch = CardPatch {
        text: Some("Antrean KTP lama sekali".into()),
        pinned: Some(true),
        sub_element: Some("bureaucracy".into()),
        ..Default::default()
    };
    let edited = w
        .services
        .update_card(&w.admin, card.id, &patch)
        .await
        .unwrap();
    assert_eq!(edited.text, "Antrean KTP lama sekali");
    assert_eq!(
        edited.original_text.as_deref(),
        Some("antrian ktp lama bgt")
    );
    assert!(edited.edited && edited.pinned);
    assert_eq!(edited.sub_element.as_deref(), Some("bureaucracy"));
    let wrong = CardPatch {
        sub_element: Some("waste".into()),
        ..Default::default()
    };
    assert_eq!(
        w.services
            .update_card(&w.admin, card.id, &wrong)
            .await
            .unwrap_err(),
        AppError::invalid(Field::SubElement, Problem::Unknown)
    );
    assert_eq!(
        w.services
            .update_card(&p, card.id, &patch)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let log = w.services.audit_log(&w.admin, s.id).await.unwrap();
    let actions: Vec<_> = log.iter().map(|e| e.action).collect();
    assert!(
        actions.contains(&AuditAction::Edit)
            && actions.contains(&AuditAction::Pin)
            && actions.contains(&AuditAction::Tag)
    );
    assert!(log.iter().all(|e| e.actor == "admin@acehselatankab.go.id"));
}

#[tokio::test]
async fn merging_moves_votes_and_links_and_undo_restores_them() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let ideas = w.question(&w.admin, s.id, "ideas").await;
    let p1 = w.participant(&s, "community").await;
    let p2 = w.participant(&s, "academia").await;
    let a = w
        .services
        .submit_card(&p1, q.id, &World::card("jalan rusak di Kluet"), None)
        .await
        .unwrap()
        .card;
    let b = w
        .services
        .submit_card(
            &p2,
            q.id,
            &World::card("kerusakan jalan di kecamatan Kluet"),
            None,
        )
        .await
        .unwrap()
        .card;
    let idea = CardInput {
        text: "Perbaikan jalan desa".into(),
        answers: vec![a.id],
        ..Default::default()
    };
    let idea = w
        .services
        .submit_card(&p1, ideas.id, &idea, None)
        .await
        .unwrap()
        .card;
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    w.services.vote(&p1, a.id, 1).await.unwrap();
    w.services.vote(&p1, b.id, 2).await.unwrap();
    w.services.vote(&p2, b.id, 1).await.unwrap();
    w.services
        .set_paper_votes(&w.admin, a.id, "government", 4)
        .await
        .unwrap();

    let merged = w
        .services
        .merge_cards(&w.admin, &[a.id, b.id], "Jalan rusak di Kecamatan Kluet")
        .await
        .unwrap();
    assert_eq!(
        merged.card.dots,
        3 + 1 + 4,
        "all dots, participants' and paper, move to the merged card"
    );
    assert_eq!(
        merged.card.merged_from,
        vec![a.id, b.id]
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    let phone = w.services.session_snapshot(&p1, s.id).await.unwrap();
    assert_eq!(phone.my_dots(merged.card.id), 3);
    assert_eq!(
        phone.my_remaining(q.id),
        0,
        "a participant who voted on both keeps exactly their dots"
    );
    assert!(
        phone
            .newest_cards(q.id)
            .iter()
            .all(|c| c.id != a.id && c.id != b.id),
        "the originals leave the phones"
    );
    let idea_now = phone.cards.iter().find(|c| c.id == idea.id).unwrap();
    assert_eq!(
        idea_now.answers,
        vec![merged.card.id],
        "ideas now answer the merged card"
    );
    assert_eq!(
        w.services
            .update_card(
                &w.admin,
                a.id,
                &CardPatch {
                    hidden: Some(false),
                    ..Default::default()
                }
            )
            .await
            .unwrap_err(),
        AppError::CardMerged
    );

    let restored = w
        .services
        .undo_merge(&w.admin, &merged.merge_id)
        .await
        .unwrap();
    assert_eq!(restored.len(), 2);
    let staff = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    let dots: HashMap<_, _> = staff
        .cards
        .iter()
        .map(|c| (c.id, (c.dots, c.status)))
        .collect();
    assert_eq!(dots[&a.id], (1 + 4, CardStatus::Visible));
    assert_eq!(dots[&b.id], (3, CardStatus::Visible));
    assert_eq!(dots[&merged.card.id].1, CardStatus::Merged);
    assert_eq!(
        staff
            .cards
            .iter()
            .find(|c| c.id == idea.id)
            .unwrap()
            .answers,
        vec![a.id]
    );
    assert_eq!(
        w.services
            .undo_merge(&w.admin, &merged.merge_id)
            .await
            .unwrap_err(),
        AppError::AlreadyUndone
    );
    let log = w.services.audit_log(&w.admin, s.id).await.unwrap();
    assert_eq!(log[0].action, AuditAction::Unmerge);
    assert_eq!(log[1].action, AuditAction::Merge);
    assert!(
        log[1]
            .detail
            .as_deref()
            .unwrap()
            .contains("jalan rusak di Kluet")
    );
}

#[tokio::test]
async fn merges_stay_within_one_question() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q1 = w.question(&w.admin, s.id, "problems").await;
    let q2 = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "community").await;
    let a = w
        .services
        .submit_card(&p, q1.id, &World::card("Satu"), None)
        .await
        .unwrap()
        .card;
    let b = w
        .services
        .submit_card(&p, q2.id, &World::card("Dua"), None)
        .await
        .unwrap()
        .card;
    assert_eq!(
        w.services
            .merge_cards(&w.admin, &[a.id, b.id], "Gabungan")
            .await
            .unwrap_err(),
        AppError::invalid(Field::Cards, Problem::WrongKind)
    );
    assert_eq!(
        w.services
            .merge_cards(&w.admin, &[a.id], "Sendiri")
            .await
            .unwrap_err(),
        AppError::invalid(Field::Cards, Problem::TooShort { min: 2 })
    );
}

#[tokio::test]
async fn paper_votes_count_per_group_and_only_staff_record_them() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "community").await;
    let card = w
        .services
        .submit_card(&p, q.id, &World::card("Air bersih"), None)
        .await
        .unwrap()
        .card;
    assert_eq!(
        w.services
            .set_paper_votes(&w.admin, card.id, "media", 5)
            .await
            .unwrap()
            .dots,
        5
    );
    assert_eq!(
        w.services
            .set_paper_votes(&w.admin, card.id, "academia", 2)
            .await
            .unwrap()
            .dots,
        7
    );
    assert_eq!(
        w.services
            .set_paper_votes(&w.admin, card.id, "media", 1)
            .await
            .unwrap()
            .dots,
        3,
        "a group's count is replaced"
    );
    assert_eq!(
        w.services
            .set_paper_votes(&p, card.id, "media", 9)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        w.services
            .set_paper_votes(&w.admin, card.id, "aliens", 1)
            .await
            .unwrap_err(),
        AppError::invalid(Field::Group, Problem::Unknown)
    );
    let paper = CardInput {
        text: "Kertas".into(),
        on_behalf: true,
        ..Default::default()
    };
    assert_eq!(
        w.services
            .submit_card(&p, q.id, &paper, None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
}

#[tokio::test]
async fn a_countdown_moves_the_question_on_by_itself() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let timed = w.services.set_timer(&w.admin, q.id, 1).await.unwrap();
    assert!(timed.timer_ends_at.is_some());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let snap = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
        let now = snap.question(q.id).unwrap().clone();
        if now.phase == Phase::Voting {
            assert_eq!(now.timer_ends_at, None, "the countdown is cleared");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the countdown did not end the phase"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let log = w.services.audit_log(&w.admin, s.id).await.unwrap();
    assert_eq!(log[0].actor, "timer");
    assert_eq!(log[0].action, AuditAction::Phase);
    // Clearing a countdown.
    w.services.set_timer(&w.admin, q.id, 600).await.unwrap();
    assert_eq!(
        w.services
            .set_timer(&w.admin, q.id, 0)
            .await
            .unwrap()
            .timer_ends_at,
        None
    );
    assert!(w.services.set_timer(&w.admin, q.id, -5).await.is_err());
}

#[tokio::test]
async fn hidden_tallies_reach_participants_only_when_the_question_closes() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let settings = QuestionSettings {
        hide_tallies: Some(true),
        ..Default::default()
    };
    w.services
        .update_question(&w.admin, q.id, &settings)
        .await
        .unwrap();
    let p = w.participant(&s, "media").await;
    let card = w
        .services
        .submit_card(&p, q.id, &World::card("Lampu jalan mati"), None)
        .await
        .unwrap()
        .card;
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    let start = w
        .services
        .session_snapshot(&w.admin, s.id)
        .await
        .unwrap()
        .seq;
    let participant_stream = w
        .services
        .live()
        .subscribe(s.id, Some(start), Audience::Participant);
    let staff_stream = w
        .services
        .live()
        .subscribe(s.id, Some(start), Audience::Staff);
    let outcome = w.services.vote(&p, card.id, 2).await.unwrap();
    assert_eq!(outcome.total, None, "no total while tallies are hidden");
    assert_eq!(
        w.services.session_snapshot(&p, s.id).await.unwrap().cards[0].dots,
        0
    );
    assert_eq!(
        w.services
            .session_snapshot(&w.admin, s.id)
            .await
            .unwrap()
            .cards[0]
            .dots,
        2
    );
    w.services
        .set_phase(&w.admin, q.id, "closed")
        .await
        .unwrap();
    assert_eq!(
        w.services.session_snapshot(&p, s.id).await.unwrap().cards[0].dots,
        2,
        "closed: tallies are public"
    );

    let end = w
        .services
        .session_snapshot(&w.admin, s.id)
        .await
        .unwrap()
        .seq;
    let (participant, staff) = (
        read_until_id(participant_stream, end).await,
        read_until_id(staff_stream, end).await,
    );
    let tally_messages = |t: &str| {
        t.lines()
            .filter(|l| l.contains("\"counts\"") && l.contains("\"dots\":2"))
            .count()
    };
    assert_eq!(
        tally_messages(&staff),
        2,
        "staff see the vote and the reveal:\n{staff}"
    );
    assert_eq!(
        tally_messages(&participant),
        1,
        "participants only see the reveal:\n{participant}"
    );
    let ids = |t: &str| {
        t.lines()
            .filter_map(|l| l.strip_prefix("id: "))
            .map(|v| v.parse::<u64>().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&participant),
        ids(&staff),
        "both audiences resume from the same ids"
    );
}

#[tokio::test]
async fn settings_can_keep_cards_coming_while_voting() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "media").await;
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    assert!(
        w.services
            .submit_card(&p, q.id, &World::card("Terlambat"), None)
            .await
            .is_err()
    );
    let settings = QuestionSettings {
        cards_while_voting: Some(true),
        ..Default::default()
    };
    w.services
        .update_question(&w.admin, q.id, &settings)
        .await
        .unwrap();
    assert!(
        w.services
            .submit_card(&p, q.id, &World::card("Boleh sekarang"), None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn co_facilitators_are_added_by_an_admin() {
    let w = world().await;
    let owner = w.staff("pemilik@example.id", "facilitator").await;
    let co = w.staff("rekan@example.id", "facilitator").await;
    let ws = w.workshop(&owner).await;
    assert_eq!(
        w.services
            .create_session(&co, ws.id, "Sesi rekan")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        w.services
            .add_member(&owner, ws.id, "rekan@example.id")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let members = w
        .services
        .add_member(&w.admin, ws.id, "rekan@example.id")
        .await
        .unwrap();
    assert_eq!(members.len(), 2);
    assert!(
        w.services
            .create_session(&co, ws.id, "Sesi rekan")
            .await
            .is_ok()
    );
    assert_eq!(
        w.services
            .add_member(&w.admin, ws.id, "siapa@example.id")
            .await
            .unwrap_err(),
        AppError::not_found(rembuk_domain::Entity::User)
    );
}

/// Any sequence of votes, hides, restores, merges and undos, run through
/// the real service and database, keeps every participant within budget
/// and every tally equal to the sum of the dots behind it.
#[tokio::test]
async fn random_moderation_keeps_budgets_and_tallies_honest() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let mut people = vec![];
    for g in ["media", "academia", "community"] {
        people.push(w.participant(&s, g).await);
    }
    let mut cards = vec![];
    for i in 0..5 {
        cards.push(
            w.services
                .submit_card(
                    &people[i % 3],
                    q.id,
                    &World::card(&format!("Masalah nomor {i}")),
                    None,
                )
                .await
                .unwrap()
                .card
                .id,
        );
    }
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    let mut merges = vec![];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..150 {
        let card = cards[next(cards.len() as u64) as usize];
        match next(10) {
            0..=5 => {
                let p = &people[next(3) as usize];
                let _ = w.services.vote(p, card, next(4) as i64).await;
            }
            6 => {
                let patch = CardPatch {
                    hidden: Some(true),
                    reason: Some("uji".into()),
                    ..Default::default()
                };
                let _ = w.services.update_card(&w.admin, card, &patch).await;
            }
            7 => {
                let _ = w
                    .services
                    .update_card(
                        &w.admin,
                        card,
                        &CardPatch {
                            hidden: Some(false),
                            ..Default::default()
                        },
                    )
                    .await;
            }
            8 => {
                let other = cards[next(cards.len() as u64) as usize];
                if let Ok(m) = w
                    .services
                    .merge_cards(&w.admin, &[card, other], "Gabungan")
                    .await
                {
                    cards.push(m.card.id);
                    merges.push(m.merge_id);
                }
            }
            _ => {
                if !merges.is_empty() {
                    let m = merges[next(merges.len() as u64) as usize].clone();
                    let _ = w.services.undo_merge(&w.admin, &m).await;
                }
            }
        }
        for p in &people {
            let phone = w.services.session_snapshot(p, s.id).await.unwrap();
            assert!(
                phone.my_used(q.id) <= 3,
                "over budget: {}",
                phone.my_used(q.id)
            );
        }
    }
    // Tallies equal the sum of every participant's dots on visible cards.
    let staff = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    let mut sums: HashMap<_, u32> = HashMap::new();
    for p in &people {
        let phone = w.services.session_snapshot(p, s.id).await.unwrap();
        for v in &phone.me.unwrap().votes {
            *sums.entry(v.card_id).or_default() += v.dots;
        }
    }
    for c in staff.cards.iter().filter(|c| c.is_visible()) {
        assert_eq!(
            c.dots,
            sums.get(&c.id).copied().unwrap_or(0),
            "tally of {}",
            c.text
        );
    }
}

/// Reads a live stream as text until it has sent event `end`.
async fn read_until_id(stream: impl futures::Stream<Item = bytes::Bytes>, end: u64) -> String {
    let mut stream = Box::pin(stream);
    let mut text = String::new();
    while !text.contains(&format!("id: {end}\n")) {
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap()
            .unwrap();
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    text
}
