//! The service's rules against a real SQLite file: accounts, workshops,
//! joining, cards, votes.

mod common;

use std::collections::HashSet;

use common::{World, world};
use rembuk_domain::{
    AppError, CardId, Entity, Field, Problem,
    dimension::DimensionInput,
    group::GroupInput,
    question::{Action, Phase},
};
use rembuk_service::{Caller, CardInput, CardPatch, JoinInput, auth::Credentials};

#[tokio::test]
async fn the_first_admin_can_be_created_once_and_then_logs_in() {
    let w = world().await;
    assert!(!w.services.needs_setup().await.unwrap());
    assert_eq!(
        w.services
            .set_up_admin("other@example.id", "kopi-sanger-pagi")
            .await
            .unwrap_err(),
        AppError::AlreadySetUp
    );
    assert_eq!(
        w.services
            .log_in("admin@acehselatankab.go.id", "salah-sandi-nya")
            .await
            .unwrap_err(),
        AppError::BadCredentials
    );
    assert_eq!(
        w.services
            .log_in("nobody@example.id", "kopi-sanger-pagi")
            .await
            .unwrap_err(),
        AppError::BadCredentials
    );
    let login = w
        .services
        .log_in("ADMIN@acehselatankab.go.id ", "kopi-sanger-pagi")
        .await
        .unwrap();
    let creds = Credentials {
        staff: Some(login.token.clone()),
        device: None,
    };
    assert!(w.services.caller(&creds).await.unwrap().staff.is_some());
    w.services.log_out(&login.token).await.unwrap();
    assert!(
        w.services.caller(&creds).await.unwrap().staff.is_none(),
        "a revoked login must stop working"
    );
}

#[tokio::test]
async fn accounts_need_an_admin_and_unique_emails() {
    let w = world().await;
    let fac = w.staff("fasilitator@example.id", "facilitator").await;
    assert_eq!(
        w.services
            .add_user(&fac, "x@example.id", "facilitator", "rahasia-sekali-123")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        w.services
            .add_user(
                &w.admin,
                "fasilitator@example.id",
                "secretariat",
                "rahasia-sekali-123"
            )
            .await
            .unwrap_err(),
        AppError::EmailTaken
    );
    assert_eq!(
        w.services
            .add_user(&w.admin, "y@example.id", "root", "rahasia-sekali-123")
            .await
            .unwrap_err(),
        AppError::invalid(Field::Role, Problem::Unknown)
    );
}

#[tokio::test]
async fn a_workshop_starts_with_the_six_dimensions_and_the_pentahelix() {
    let w = world().await;
    let ws = w.workshop(&w.admin).await;
    let keys: Vec<_> = ws.dimensions.iter().map(|d| d.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "governance",
            "branding",
            "economy",
            "living",
            "society",
            "environment"
        ]
    );
    assert_eq!(ws.groups.len(), 5);
    assert_eq!(w.services.workshop(&w.admin, ws.id).await.unwrap(), ws);
}

#[tokio::test]
async fn facilitators_run_only_their_workshops_and_the_secretariat_only_reads() {
    let w = world().await;
    let a = w.staff("a@example.id", "facilitator").await;
    let b = w.staff("b@example.id", "facilitator").await;
    let sec = w.staff("sekretariat@example.id", "secretariat").await;
    let ws = w.workshop(&a).await;
    assert_eq!(
        w.services
            .create_session(&b, ws.id, "Sesi B")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        w.services.workshop(&b, ws.id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert!(w.services.workshop(&sec, ws.id).await.is_ok());
    assert_eq!(
        w.services
            .create_session(&sec, ws.id, "Sesi S")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(w.services.list_workshops(&b).await.unwrap().len(), 0);
    assert_eq!(w.services.list_workshops(&sec).await.unwrap().len(), 1);
    let s = w
        .services
        .create_session(&a, ws.id, "Sesi A")
        .await
        .unwrap();
    let p = w.participant(&s, "media").await;
    assert_eq!(
        w.services.workshop(&p, ws.id).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        w.services
            .workshop(&Caller::anonymous(), ws.id)
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );
}

#[tokio::test]
async fn join_codes_are_unique_six_digit_numbers() {
    let w = world().await;
    let ws = w.workshop(&w.admin).await;
    let mut codes = HashSet::new();
    for i in 0..30 {
        let s = w
            .services
            .create_session(&w.admin, ws.id, &format!("Ruang {i}"))
            .await
            .unwrap();
        assert_eq!(s.join_code.digits().len(), 6);
        assert!(codes.insert(s.join_code));
    }
}

#[tokio::test]
async fn a_phone_that_rejoins_stays_the_same_participant() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let phone = Caller {
        staff: None,
        device: None,
    };
    let input = JoinInput {
        code: s.join_code.spaced(),
        group: "academia".into(),
        name: Some("Bu Rina".into()),
        consent: true,
        passcode: None,
    };
    let first = w.services.join(&phone, &input, None).await.unwrap();
    assert!(first.created);
    let phone = Caller {
        staff: None,
        device: Some(first.token.clone()),
    };
    let again = w
        .services
        .join(
            &phone,
            &JoinInput {
                group: "community".into(),
                ..input.clone()
            },
            None,
        )
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.participant.id, first.participant.id);
    assert_eq!(again.token, first.token);
    assert_eq!(again.participant.group, "community");
    let snap = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    assert_eq!(snap.participant_count(), 1);
    assert_eq!(snap.participants[0].group, "community");
}

#[tokio::test]
async fn joining_explains_what_is_wrong() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let join = |code: &str, group: &str, consent: bool| JoinInput {
        code: code.into(),
        group: group.into(),
        name: None,
        consent,
        passcode: None,
    };
    let anon = Caller::anonymous();
    assert_eq!(
        w.services
            .join(&anon, &join("999999", "media", true), None)
            .await
            .unwrap_err(),
        AppError::not_found(Entity::Session)
    );
    assert_eq!(
        w.services
            .join(&anon, &join(&s.join_code.digits(), "students", true), None)
            .await
            .unwrap_err(),
        AppError::invalid(Field::Group, Problem::Unknown)
    );
    assert_eq!(
        w.services
            .join(&anon, &join(&s.join_code.digits(), "media", false), None)
            .await
            .unwrap_err(),
        AppError::invalid(Field::Consent, Problem::MustAccept)
    );
}

#[tokio::test]
async fn a_retried_card_with_the_same_key_is_one_card() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "community").await;
    let card = World::card("Antrean KTP di kecamatan sangat panjang");
    let first = w
        .services
        .submit_card(&p, q.id, &card, Some("offline-7f3a"))
        .await
        .unwrap();
    let retry = w
        .services
        .submit_card(&p, q.id, &card, Some("offline-7f3a"))
        .await
        .unwrap();
    assert!(first.created && !retry.created);
    assert_eq!(first.card.id, retry.card.id);
    // Even after the phase moved on, the retry finds the accepted card.
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    let late = w
        .services
        .submit_card(&p, q.id, &card, Some("offline-7f3a"))
        .await
        .unwrap();
    assert_eq!(late.card.id, first.card.id);
    let snap = w.services.session_snapshot(&w.admin, s.id).await.unwrap();
    assert_eq!(snap.cards.len(), 1);
}

#[tokio::test]
async fn concurrent_retries_of_one_card_still_make_one_card() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "community").await;
    let card = World::card("Sinyal internet lemah di Kluet Tengah");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (services, p, card) = (w.services.clone(), p.clone(), card.clone());
            tokio::spawn(async move {
                services
                    .submit_card(&p, q.id, &card, Some("same-key"))
                    .await
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap().unwrap().card.id);
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(
        w.services
            .session_snapshot(&w.admin, s.id)
            .await
            .unwrap()
            .cards
            .len(),
        1
    );
}

#[tokio::test]
async fn phases_decide_what_participants_can_do() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "business").await;
    let card = w
        .services
        .submit_card(&p, q.id, &World::card("Pasar tradisional kumuh"), None)
        .await
        .unwrap()
        .card;
    assert_eq!(
        w.services.vote(&p, card.id, 1).await.unwrap_err(),
        AppError::PhaseForbids {
            phase: Phase::Collecting,
            action: Action::Vote
        }
    );
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    assert_eq!(
        w.services
            .submit_card(&p, q.id, &World::card("Terlambat"), None)
            .await
            .unwrap_err(),
        AppError::PhaseForbids {
            phase: Phase::Voting,
            action: Action::SubmitCard
        }
    );
    assert_eq!(
        w.services.vote(&p, card.id, 1).await.unwrap().total,
        Some(1)
    );
    w.services
        .set_phase(&w.admin, q.id, "closed")
        .await
        .unwrap();
    assert_eq!(
        w.services.vote(&p, card.id, 0).await.unwrap_err(),
        AppError::PhaseForbids {
            phase: Phase::Closed,
            action: Action::Vote
        }
    );
    assert_eq!(
        w.services
            .set_phase(&w.admin, q.id, "open")
            .await
            .unwrap_err(),
        AppError::invalid(Field::Phase, Problem::Unknown)
    );
    assert_eq!(
        w.services.set_phase(&p, q.id, "voting").await.unwrap_err(),
        AppError::Forbidden
    );
}

#[tokio::test]
async fn dots_stay_within_the_budget_and_can_be_taken_back() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "government").await;
    let a = w
        .services
        .submit_card(&p, q.id, &World::card("Jalan rusak di Kluet"), None)
        .await
        .unwrap()
        .card;
    let b = w
        .services
        .submit_card(&p, q.id, &World::card("Banjir di Tapaktuan"), None)
        .await
        .unwrap()
        .card;
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    let v = w.services.vote(&p, a.id, 2).await.unwrap();
    assert_eq!((v.dots, v.total, v.used, v.remaining), (2, Some(2), 2, 1));
    assert_eq!(
        w.services.vote(&p, b.id, 2).await.unwrap_err(),
        AppError::OverBudget {
            budget: 3,
            used_elsewhere: 2,
            requested: 2
        }
    );
    assert_eq!(w.services.vote(&p, b.id, 1).await.unwrap().remaining, 0);
    let back = w.services.vote(&p, a.id, 0).await.unwrap();
    assert_eq!((back.total, back.remaining), (Some(0), 2));
    assert_eq!(w.services.vote(&p, b.id, 3).await.unwrap().total, Some(3));
    assert_eq!(
        w.services.vote(&p, b.id, -1).await.unwrap_err(),
        AppError::invalid(Field::Dots, Problem::OutOfRange { min: 0, max: 20 })
    );
}

/// A vote reads its card, voter, question and dots in one query after it
/// takes the session's number: each refusal still names its own reason,
/// refusals leave no gap in the session's numbers, and dots on a hidden
/// card neither count against the budget nor can be changed.
#[tokio::test]
async fn a_refused_vote_says_why_and_leaves_no_gap() {
    let w = world().await;
    let (s, other) = w.two_sessions().await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "academia").await;
    let stranger = w.participant(&other, "media").await;
    let mut cards = vec![];
    for text in ["Air bersih", "Sampah pasar", "Lampu jalan"] {
        let card = w
            .services
            .submit_card(&p, q.id, &World::card(text), None)
            .await
            .unwrap()
            .card;
        cards.push(card.id);
    }
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    let first = w.services.vote(&p, cards[0], 2).await.unwrap();
    let refusals = [
        (&stranger, cards[0], AppError::NotJoined),
        (&Caller::anonymous(), cards[0], AppError::Unauthenticated),
        (&w.admin, cards[0], AppError::Forbidden),
        (
            &p,
            CardId(uuid::Uuid::nil()),
            AppError::not_found(Entity::Card),
        ),
    ];
    for (caller, card, why) in refusals {
        assert_eq!(w.services.vote(caller, card, 1).await.unwrap_err(), why);
    }
    let second = w.services.vote(&p, cards[1], 1).await.unwrap();
    assert_eq!(second.seq, first.seq + 1, "a refused vote left a gap");
    assert_eq!((second.used, second.remaining), (3, 0));
    w.services
        .update_card(
            &w.admin,
            cards[0],
            &CardPatch {
                hidden: Some(true),
                reason: Some("Ganda".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        w.services.vote(&p, cards[0], 0).await.unwrap_err(),
        AppError::not_found(Entity::Card),
        "dots on a hidden card stay as they are"
    );
    let third = w.services.vote(&p, cards[2], 2).await.unwrap();
    assert_eq!(
        (third.used, third.remaining),
        (3, 0),
        "the hidden card's two dots went back to the budget"
    );
}

#[tokio::test]
async fn fifty_identical_concurrent_votes_count_once() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "media").await;
    let card = w
        .services
        .submit_card(&p, q.id, &World::card("Sampah di pantai"), None)
        .await
        .unwrap()
        .card;
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (services, p) = (w.services.clone(), p.clone());
            tokio::spawn(async move { services.vote(&p, card.id, 1).await })
        })
        .collect();
    let mut changed = vec![];
    for t in tasks {
        let outcome = t.await.unwrap().unwrap();
        assert_eq!(outcome.total, Some(1));
        if outcome.seq > 0 {
            changed.push(outcome.seq);
        }
    }
    let snap = w.services.session_snapshot(&p, s.id).await.unwrap();
    assert_eq!(snap.cards[0].dots, 1);
    assert_eq!(snap.my_dots(card.id), 1);
    // One of them changed something; the 49 that changed nothing gave their
    // change numbers back, so the next change follows it directly.
    assert_eq!(changed.len(), 1, "{changed:?}");
    let next = w.services.vote(&p, card.id, 2).await.unwrap();
    assert_eq!(next.seq, changed[0] + 1);
}

#[tokio::test]
async fn concurrent_votes_on_many_cards_never_exceed_the_budget() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "academia").await;
    let mut cards = vec![];
    for i in 0..6 {
        cards.push(
            w.services
                .submit_card(&p, q.id, &World::card(&format!("Masalah {i}")), None)
                .await
                .unwrap()
                .card,
        );
    }
    w.services
        .set_phase(&w.admin, q.id, "voting")
        .await
        .unwrap();
    let tasks: Vec<_> = cards
        .iter()
        .flat_map(|c| [1, 2, 3].map(|d| (c.id, d)))
        .map(|(card, dots)| {
            let (services, p) = (w.services.clone(), p.clone());
            tokio::spawn(async move { services.vote(&p, card, dots).await })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(AppError::OverBudget { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(accepted >= 1);
    let snap = w.services.session_snapshot(&p, s.id).await.unwrap();
    assert!(snap.my_used(q.id) <= 3, "used {}", snap.my_used(q.id));
    let total: u32 = snap.cards.iter().map(|c| c.dots).sum();
    assert_eq!(
        total,
        snap.my_used(q.id),
        "tallies must equal the sum of the participant's dots"
    );
}

#[tokio::test]
async fn ideas_can_answer_problems_of_the_same_session_only() {
    let w = world().await;
    let (ws, s) = w.session(&w.admin).await;
    let problems = w.question(&w.admin, s.id, "problems").await;
    let ideas = w.question(&w.admin, s.id, "ideas").await;
    let p = w.participant(&s, "academia").await;
    let problem = w
        .services
        .submit_card(
            &p,
            problems.id,
            &World::card("Data kependudukan tidak sinkron"),
            None,
        )
        .await
        .unwrap()
        .card;
    let idea = CardInput {
        kind: Some("idea".into()),
        text: "Satu data desa".into(),
        answers: vec![problem.id, problem.id],
        ..Default::default()
    };
    let card = w
        .services
        .submit_card(&p, ideas.id, &idea, None)
        .await
        .unwrap()
        .card;
    assert_eq!(card.answers, vec![problem.id]);

    let other = w
        .services
        .create_session(&w.admin, ws.id, "Hari 2")
        .await
        .unwrap();
    let other_q = w.question(&w.admin, other.id, "ideas").await;
    let p2 = w.participant(&other, "academia").await;
    let foreign = CardInput {
        answers: vec![problem.id],
        ..idea.clone()
    };
    assert_eq!(
        w.services
            .submit_card(&p2, other_q.id, &foreign, None)
            .await
            .unwrap_err(),
        AppError::invalid(Field::Answers, Problem::Unknown)
    );
    let wrong_kind = CardInput {
        kind: Some("problem".into()),
        ..idea
    };
    assert_eq!(
        w.services
            .submit_card(&p, ideas.id, &wrong_kind, None)
            .await
            .unwrap_err(),
        AppError::invalid(Field::Kind, Problem::WrongKind)
    );
}

#[tokio::test]
async fn participants_act_only_in_sessions_they_joined() {
    let w = world().await;
    let (s, other) = w.two_sessions().await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let stranger = w.participant(&other, "media").await;
    assert_eq!(
        w.services
            .submit_card(&stranger, q.id, &World::card("Halo"), None)
            .await
            .unwrap_err(),
        AppError::NotJoined
    );
    assert_eq!(
        w.services
            .session_snapshot(&stranger, s.id)
            .await
            .unwrap_err(),
        AppError::NotJoined
    );
    assert_eq!(
        w.services
            .submit_card(&Caller::anonymous(), q.id, &World::card("Halo"), None)
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );
    // The same phone joining the other session keeps its token.
    let joined = w
        .services
        .join(
            &stranger,
            &JoinInput {
                code: s.join_code.digits(),
                group: "media".into(),
                name: None,
                consent: true,
                passcode: None,
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(Some(joined.token), stranger.device);
    assert!(
        w.services
            .submit_card(&stranger, q.id, &World::card("Sekarang boleh"), None)
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn dimensions_and_groups_in_use_cannot_be_removed() {
    let w = world().await;
    let (ws, s) = w.session(&w.admin).await;
    w.question(&w.admin, s.id, "problems").await;
    w.participant(&s, "media").await;
    let without_governance: Vec<DimensionInput> = ws
        .dimensions
        .iter()
        .filter(|d| d.key != "governance")
        .map(|d| DimensionInput {
            key: Some(d.key.clone()),
            name: d.name.clone(),
            sub_elements: vec![],
        })
        .collect();
    assert_eq!(
        w.services
            .set_dimensions(&w.admin, ws.id, &without_governance)
            .await
            .unwrap_err(),
        AppError::InUse {
            name: "Tata Kelola Cerdas".into()
        }
    );
    let mut renamed: Vec<DimensionInput> = ws
        .dimensions
        .iter()
        .map(|d| DimensionInput {
            key: Some(d.key.clone()),
            name: d.name.clone(),
            sub_elements: d
                .sub_elements
                .iter()
                .map(|s| rembuk_domain::dimension::SubElementInput {
                    key: Some(s.key.clone()),
                    name: s.name.clone(),
                })
                .collect(),
        })
        .collect();
    renamed[0].name = "Pemerintahan Digital".into();
    renamed.push(DimensionInput {
        key: None,
        name: "Maritim".into(),
        sub_elements: vec![],
    });
    let updated = w
        .services
        .set_dimensions(&w.admin, ws.id, &renamed)
        .await
        .unwrap();
    assert_eq!(updated.dimensions[0].name, "Pemerintahan Digital");
    assert_eq!(updated.dimensions[6].key, "maritim");

    let groups = vec![GroupInput {
        key: Some("government".into()),
        name: "OPD".into(),
    }];
    assert_eq!(
        w.services
            .set_groups(&w.admin, ws.id, &groups)
            .await
            .unwrap_err(),
        AppError::InUse {
            name: "Media".into()
        }
    );
}

#[tokio::test]
async fn staff_logins_expire_and_signing_out_revokes_them_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = rembuk_service::storage::scratch_database(dir.path())
        .await
        .unwrap();
    let services = rembuk_service::Services::start(
        &url,
        rembuk_service::ServiceConfig {
            staff_session_ttl: std::time::Duration::from_millis(300),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let staff = |token: &str| Credentials {
        staff: Some(token.to_string()),
        device: None,
    };
    let first = services
        .set_up_admin("admin@acehselatankab.go.id", "kopi-sanger-pagi")
        .await
        .unwrap();
    let caller = services.caller(&staff(&first.token)).await.unwrap();
    assert!(caller.require_staff().is_ok(), "fresh login works");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let caller = services.caller(&staff(&first.token)).await.unwrap();
    assert_eq!(
        caller.require_staff().unwrap_err(),
        AppError::Unauthenticated,
        "an expired login is nobody"
    );

    let second = services
        .log_in("admin@acehselatankab.go.id", "kopi-sanger-pagi")
        .await
        .unwrap();
    assert!(
        services
            .caller(&staff(&second.token))
            .await
            .unwrap()
            .require_staff()
            .is_ok()
    );
    services.log_out(&second.token).await.unwrap();
    let caller = services.caller(&staff(&second.token)).await.unwrap();
    assert!(caller.require_staff().is_err(), "revoked at once");
}

#[tokio::test]
async fn the_join_view_names_the_session_workshop_groups_and_language_of_a_code() {
    let w = world().await;
    let workshop = w
        .services
        .create_workshop(
            &w.admin,
            &rembuk_service::WorkshopInput {
                title: "FGD Smart City".into(),
                place: Some("Tapaktuan".into()),
                language: Some("en".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let session = w
        .services
        .create_session(&w.admin, workshop.id, "Day 1")
        .await
        .unwrap();
    let code = session.join_code.digits();

    let info = w.services.join_info(&code).await.unwrap();
    assert_eq!(info.session_id, session.id);
    assert_eq!(info.session_title, "Day 1");
    assert_eq!(info.workshop_title, "FGD Smart City");
    assert_eq!(info.place.as_deref(), Some("Tapaktuan"));
    assert_eq!(info.language, rembuk_domain::Lang::En);
    assert_eq!(info.code, session.join_code);
    assert_eq!(info.groups, workshop.groups, "every group, in order");
    assert!(!info.passcode_required);
    assert_eq!(
        w.services.join_language(&code).await.unwrap(),
        rembuk_domain::Lang::En
    );
    assert_eq!(
        w.services.session_language(session.id).await.unwrap(),
        rembuk_domain::Lang::En
    );

    w.services
        .set_passcode(&w.admin, session.id, Some("4821"))
        .await
        .unwrap();
    assert!(w.services.join_info(&code).await.unwrap().passcode_required);

    let other = if code == "100000" { "100001" } else { "100000" };
    let missing = AppError::not_found(Entity::Session);
    assert_eq!(w.services.join_info(other).await.unwrap_err(), missing);
    assert_eq!(w.services.join_language(other).await.unwrap_err(), missing);
    assert!(matches!(
        w.services.join_language("12x").await.unwrap_err(),
        AppError::Invalid { .. }
    ));
}

#[tokio::test]
async fn the_join_view_shows_a_change_of_groups_or_passcode_at_once() {
    let w = world().await;
    let (workshop, session) = w.session(&w.admin).await;
    let code = session.join_code.digits();
    // Fill the cache: the second read finds the first in memory.
    let before = w.services.join_info(&code).await.unwrap();
    assert_eq!(w.services.join_info(&code).await.unwrap(), before);
    assert!(before.groups.len() > 1);

    let groups = vec![
        GroupInput {
            key: Some(before.groups[0].key.clone()),
            name: "Pemerintah Kabupaten".into(),
        },
        GroupInput {
            key: None,
            name: "Pemuda".into(),
        },
    ];
    w.services
        .set_groups(&w.admin, workshop.id, &groups)
        .await
        .unwrap();
    let after = w.services.join_info(&code).await.unwrap();
    let names: Vec<&str> = after.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Pemerintah Kabupaten", "Pemuda"]);

    w.services
        .set_passcode(&w.admin, session.id, Some("7319"))
        .await
        .unwrap();
    assert!(w.services.join_info(&code).await.unwrap().passcode_required);
    w.services
        .set_passcode(&w.admin, session.id, None)
        .await
        .unwrap();
    assert!(!w.services.join_info(&code).await.unwrap().passcode_required);
}
