//! USG and impact/effort ratings, programmes, reports and the workshop
//! roll-up against a real SQLite file.

mod common;

use common::{World, world};
use rembuk_domain::{
    AppError, Field, Problem,
    audit::AuditAction,
    question::{Phase, QuestionSettings, VotingMode},
    rating::Horizon,
    report::Scope,
};
use rembuk_service::QuestionInput;

async fn voting(w: &World, q: rembuk_domain::QuestionId) {
    w.services.set_phase(&w.admin, q, "voting").await.unwrap();
}

#[tokio::test]
async fn usg_score_is_the_sum_of_the_criteria_means_and_a_new_rating_replaces_the_old() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let a = w.participant(&s, "community").await;
    let b = w.participant(&s, "government").await;
    let card = w
        .services
        .submit_card(&a, q.id, &World::card("Jalan desa rusak"), None)
        .await
        .unwrap()
        .card;

    // Ratings follow the voting phase, like dots.
    let early = w.services.rate_usg(&a, card.id, 5, 5, 5).await.unwrap_err();
    assert!(matches!(early, AppError::PhaseForbids { .. }), "{early:?}");
    voting(&w, q.id).await;

    let first = w.services.rate_usg(&a, card.id, 5, 4, 3).await.unwrap();
    assert!(first.seq > 0);
    let score = first.usg_score.unwrap();
    assert_eq!((score.score, score.raters), (12.0, 1));

    let second = w.services.rate_usg(&b, card.id, 3, 2, 1).await.unwrap();
    let score = second.usg_score.unwrap();
    // Means 4, 3, 2 → 9 from two raters.
    assert_eq!(
        (score.urgency, score.seriousness, score.growth),
        (4.0, 3.0, 2.0)
    );
    assert_eq!((score.score, score.raters), (9.0, 2));

    // Rating again replaces the participant's own rating.
    let changed = w.services.rate_usg(&b, card.id, 5, 4, 3).await.unwrap();
    assert_eq!(changed.usg_score.unwrap().score, 12.0);
    assert_eq!(changed.usg_score.unwrap().raters, 2);

    // The same rating again (a retry) records nothing.
    let retry = w.services.rate_usg(&b, card.id, 5, 4, 3).await.unwrap();
    assert_eq!(retry.seq, 0);
    assert_eq!(retry.usg_score.unwrap().score, 12.0);

    // The participant's own rating comes back with the snapshot.
    let snap = w.services.session_snapshot(&b, s.id).await.unwrap();
    let mine = snap.me.unwrap();
    let own = mine.usg.iter().find(|u| u.card_id == card.id);
    assert_eq!(own.map(|u| u.usg.urgency), Some(5));
    let seen = snap.cards.iter().find(|c| c.id == card.id).unwrap();
    assert_eq!(seen.usg.unwrap().raters, 2);

    // Closed questions take no more ratings.
    w.services
        .set_phase(&w.admin, q.id, "closed")
        .await
        .unwrap();
    let late = w.services.rate_usg(&a, card.id, 1, 1, 1).await.unwrap_err();
    assert!(matches!(
        late,
        AppError::PhaseForbids {
            phase: Phase::Closed,
            ..
        }
    ));
}

#[tokio::test]
async fn ratings_out_of_range_or_on_the_wrong_kind_are_refused() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let p = w.participant(&s, "community").await;
    let card = w
        .services
        .submit_card(&p, q.id, &World::card("Sampah di sungai"), None)
        .await
        .unwrap()
        .card;
    voting(&w, q.id).await;
    for (u, s_, g) in [(0, 3, 3), (3, 6, 3), (3, 3, -1)] {
        let err = w
            .services
            .rate_usg(&p, card.id, u, s_, g)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Invalid { .. }), "{err:?}");
    }
    let err = w.services.rate_idea(&p, card.id, 5, 1).await.unwrap_err();
    assert_eq!(err, AppError::invalid(Field::Kind, Problem::WrongKind));
    // Staff have no participant rating.
    let err = w
        .services
        .rate_usg(&w.admin, card.id, 3, 3, 3)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Forbidden);
}

#[tokio::test]
async fn voting_mode_switches_dots_and_scores_on_and_off() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let input = QuestionInput {
        dimension: "economy".into(),
        prompt: "Ide apa untuk UMKM?".into(),
        kind: "ideas".into(),
        voting_mode: Some("dots".into()),
        ..Default::default()
    };
    let q = w
        .services
        .create_question(&w.admin, s.id, &input)
        .await
        .unwrap();
    assert_eq!(q.voting_mode, VotingMode::Dots);
    let p = w.participant(&s, "business").await;
    let idea = w
        .services
        .submit_card(&p, q.id, &World::card("Pasar daring UMKM"), None)
        .await
        .unwrap()
        .card;
    voting(&w, q.id).await;
    assert_eq!(
        w.services.rate_idea(&p, idea.id, 5, 1).await.unwrap_err(),
        AppError::ScoresOff
    );
    w.services.vote(&p, idea.id, 1).await.unwrap();

    let settings = QuestionSettings {
        voting_mode: Some(VotingMode::Scores),
        ..Default::default()
    };
    w.services
        .update_question(&w.admin, q.id, &settings)
        .await
        .unwrap();
    assert_eq!(
        w.services.vote(&p, idea.id, 2).await.unwrap_err(),
        AppError::DotsOff
    );
    let rated = w.services.rate_idea(&p, idea.id, 5, 1).await.unwrap();
    let score = rated.idea_score.unwrap();
    assert!(score.quick_win);
    assert_eq!((score.impact, score.effort, score.raters), (5.0, 1.0, 1));

    // The default mode is both.
    let both = w.question(&w.admin, s.id, "problems").await;
    assert_eq!(both.voting_mode, VotingMode::Both);
}

#[tokio::test]
async fn quick_wins_need_high_impact_and_low_effort_on_average() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "ideas").await;
    let a = w.participant(&s, "community").await;
    let b = w.participant(&s, "academia").await;
    let idea = w
        .services
        .submit_card(&a, q.id, &World::card("Posyandu digital"), None)
        .await
        .unwrap()
        .card;
    voting(&w, q.id).await;
    let one = w.services.rate_idea(&a, idea.id, 5, 1).await.unwrap();
    assert!(one.idea_score.unwrap().quick_win);
    // Impact 4, effort 3 on average: no longer low effort.
    let two = w.services.rate_idea(&b, idea.id, 3, 5).await.unwrap();
    let score = two.idea_score.unwrap();
    assert_eq!((score.impact, score.effort), (4.0, 3.0));
    assert!(!score.quick_win);
}

#[tokio::test]
async fn facilitators_mark_candidate_programmes_and_the_secretariat_cannot() {
    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "ideas").await;
    let p = w.participant(&s, "community").await;
    let idea = w
        .services
        .submit_card(&p, q.id, &World::card("Aplikasi aduan warga"), None)
        .await
        .unwrap()
        .card;
    let marked = w
        .services
        .set_programme(&w.admin, idea.id, Some("medium"), Some("  Diskominfo  "))
        .await
        .unwrap();
    let programme = marked.programme.clone().unwrap();
    assert_eq!(programme.horizon, Horizon::Medium);
    assert_eq!(programme.lead_office.as_deref(), Some("Diskominfo"));

    let err = w
        .services
        .set_programme(&w.admin, idea.id, Some("someday"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, AppError::Invalid { .. }), "{err:?}");

    let secretariat = w
        .staff("sekretariat@acehselatankab.go.id", "secretariat")
        .await;
    let err = w
        .services
        .set_programme(&secretariat, idea.id, Some("short"), None)
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Forbidden);
    assert_eq!(
        w.services
            .set_programme(&p, idea.id, Some("short"), None)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );

    let cleared = w
        .services
        .set_programme(&w.admin, idea.id, None, None)
        .await
        .unwrap();
    assert_eq!(cleared.programme, None);
    let log = w.services.audit_log(&w.admin, s.id).await.unwrap();
    assert_eq!(
        log.iter()
            .filter(|e| e.action == AuditAction::Programme)
            .count(),
        2
    );

    // Problems are not programmes.
    let pq = w.question(&w.admin, s.id, "problems").await;
    let problem = w
        .services
        .submit_card(&p, pq.id, &World::card("Sinyal lemah"), None)
        .await
        .unwrap()
        .card;
    assert_eq!(
        w.services
            .set_programme(&w.admin, problem.id, Some("short"), None)
            .await
            .unwrap_err(),
        AppError::invalid(Field::Kind, Problem::WrongKind)
    );
}

#[tokio::test]
async fn reports_reflect_current_tallies_and_only_staff_may_read_them() {
    let w = world().await;
    let (workshop, s) = w.session(&w.admin).await;
    let q = w.question(&w.admin, s.id, "problems").await;
    let a = w.participant(&s, "community").await;
    let b = w.participant(&s, "government").await;
    let c = w.participant(&s, "community").await;
    let card = w
        .services
        .submit_card(&a, q.id, &World::card("Antrean KTP lama"), None)
        .await
        .unwrap()
        .card;
    let other = w
        .services
        .submit_card(
            &b,
            q.id,
            &World::card("Website dinas jarang diperbarui"),
            None,
        )
        .await
        .unwrap()
        .card;
    voting(&w, q.id).await;
    w.services.vote(&a, card.id, 2).await.unwrap();
    w.services.vote(&b, card.id, 1).await.unwrap();
    w.services.vote(&c, other.id, 1).await.unwrap();
    w.services.rate_usg(&a, card.id, 5, 5, 4).await.unwrap();

    let secretariat = w
        .staff("sekretariat@acehselatankab.go.id", "secretariat")
        .await;
    let report = w
        .services
        .workshop_report(&secretariat, workshop.id)
        .await
        .unwrap();
    assert_eq!(report.scope, Scope::Workshop);
    assert_eq!(report.participation.total, 3);
    assert_eq!(report.participation.by_group.get("community"), Some(&2));
    let gov = &report.dimensions["governance"];
    assert_eq!(gov.problems[0].id, card.id);
    assert_eq!(gov.problems[0].dots, 3);
    assert_eq!(gov.problems[0].dots_by_group["community"], 2);
    assert_eq!(gov.problems[0].dots_by_group["government"], 1);
    assert_eq!(gov.problems[0].usg.unwrap().score, 14.0);
    assert_eq!(gov.problems[1].id, other.id);

    // The running session moves on; a new export shows it.
    w.services.vote(&c, other.id, 3).await.unwrap();
    w.services.vote(&b, other.id, 1).await.unwrap();
    w.services.vote(&b, card.id, 0).await.unwrap();
    let now = w.services.session_report(&secretariat, s.id).await.unwrap();
    assert_eq!(now.scope, Scope::Session { session_id: s.id });
    let gov = &now.dimensions["governance"];
    assert_eq!(gov.problems[0].id, other.id);
    assert_eq!(gov.problems[0].dots, 4);
    assert_eq!(gov.problems[1].dots, 2);

    assert_eq!(
        w.services
            .workshop_report(&a, workshop.id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    // A facilitator of another workshop may not read this one.
    let stranger = w.staff("fasilitator@contoh.id", "facilitator").await;
    assert_eq!(
        w.services
            .session_report(&stranger, s.id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
}

#[tokio::test]
async fn cross_session_merges_fold_items_together_and_can_be_undone() {
    let w = world().await;
    let (workshop, day1) = w.session(&w.admin).await;
    let day2 = w
        .services
        .create_session(&w.admin, workshop.id, "Hari 2 — Tata Kelola")
        .await
        .unwrap();
    let q1 = w.question(&w.admin, day1.id, "problems").await;
    let q2 = w.question(&w.admin, day2.id, "problems").await;
    let a = w.participant(&day1, "community").await;
    let b = w.participant(&day2, "media").await;
    let first = w
        .services
        .submit_card(&a, q1.id, &World::card("Pelayanan KTP lambat"), None)
        .await
        .unwrap()
        .card;
    let second = w
        .services
        .submit_card(&b, q2.id, &World::card("Urus KTP berhari-hari"), None)
        .await
        .unwrap()
        .card;
    voting(&w, q1.id).await;
    voting(&w, q2.id).await;
    w.services.vote(&a, first.id, 2).await.unwrap();
    w.services.vote(&b, second.id, 3).await.unwrap();

    let secretariat = w
        .staff("sekretariat@acehselatankab.go.id", "secretariat")
        .await;
    let cluster = w
        .services
        .create_cluster(
            &secretariat,
            workshop.id,
            &[first.id, second.id],
            "Pelayanan KTP lambat",
        )
        .await
        .unwrap();
    let report = w
        .services
        .workshop_report(&secretariat, workshop.id)
        .await
        .unwrap();
    let gov = &report.dimensions["governance"];
    assert_eq!(gov.problems.len(), 1);
    let item = &gov.problems[0];
    assert_eq!(item.text, "Pelayanan KTP lambat");
    assert_eq!(item.dots, 5);
    assert_eq!(item.sessions.len(), 2);
    assert_eq!(item.breadth, 2, "community and media both rank it");
    assert!(
        report
            .annex
            .moderation_log
            .iter()
            .any(|l| l.entry.action == AuditAction::Cluster && l.session == workshop.title),
        "the annex keeps the merge"
    );

    // A card can be in one merge only; kinds and workshops must match.
    let err = w
        .services
        .create_cluster(&secretariat, workshop.id, &[first.id, second.id], "x")
        .await
        .unwrap_err();
    assert_eq!(err, AppError::invalid(Field::Cards, Problem::Unknown));
    let err = w
        .services
        .create_cluster(&secretariat, workshop.id, &[first.id], "x")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        AppError::invalid(Field::Cards, Problem::TooShort { min: 2 })
    );

    let log = w
        .services
        .workshop_audit(&secretariat, workshop.id)
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, AuditAction::Cluster);

    w.services
        .undo_cluster(&secretariat, &cluster.id)
        .await
        .unwrap();
    assert_eq!(
        w.services
            .undo_cluster(&secretariat, &cluster.id)
            .await
            .unwrap_err(),
        AppError::AlreadyUndone
    );
    let report = w
        .services
        .workshop_report(&secretariat, workshop.id)
        .await
        .unwrap();
    assert_eq!(report.dimensions["governance"].problems.len(), 2);
    assert!(
        w.services
            .clusters(&secretariat, workshop.id)
            .await
            .unwrap()
            .is_empty()
    );
    let log = w
        .services
        .workshop_audit(&secretariat, workshop.id)
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].action, AuditAction::Uncluster);
    // The sessions' own cards were never changed.
    let snap = w
        .services
        .session_snapshot(&w.admin, day1.id)
        .await
        .unwrap();
    assert_eq!(snap.cards[0].text, "Pelayanan KTP lambat");
    assert_eq!(snap.cards[0].dots, 2);
}

#[tokio::test]
async fn the_quick_tally_of_a_vote_equals_the_full_cards_tally() {
    use rembuk_domain::event::CardTally;
    use rembuk_service::storage::cards;

    let w = world().await;
    let (_, s) = w.session(&w.admin).await;
    let problems = w.question(&w.admin, s.id, "problems").await;
    let ideas = w.question(&w.admin, s.id, "ideas").await;
    let (a, b, c) = (
        w.participant(&s, "community").await,
        w.participant(&s, "government").await,
        w.participant(&s, "community").await,
    );
    let problem = w
        .services
        .submit_card(&a, problems.id, &World::card("Jalan desa rusak"), None)
        .await
        .unwrap()
        .card;
    let idea = w
        .services
        .submit_card(&a, ideas.id, &World::card("Pasar daring UMKM"), None)
        .await
        .unwrap()
        .card;
    let empty = w
        .services
        .submit_card(&b, problems.id, &World::card("Air bersih kurang"), None)
        .await
        .unwrap()
        .card;
    voting(&w, problems.id).await;
    voting(&w, ideas.id).await;
    // Dots from two groups, paper dots, and both kinds of scores.
    w.services.vote(&a, problem.id, 2).await.unwrap();
    w.services.vote(&b, problem.id, 1).await.unwrap();
    w.services.vote(&c, problem.id, 3).await.unwrap();
    w.services
        .set_paper_votes(&w.admin, problem.id, "academia", 4)
        .await
        .unwrap();
    w.services
        .set_paper_votes(&w.admin, problem.id, "community", 2)
        .await
        .unwrap();
    w.services.rate_usg(&a, problem.id, 5, 4, 3).await.unwrap();
    w.services.rate_usg(&b, problem.id, 3, 2, 2).await.unwrap();
    w.services.vote(&b, idea.id, 2).await.unwrap();
    w.services.rate_idea(&b, idea.id, 5, 1).await.unwrap();
    w.services.rate_idea(&c, idea.id, 3, 2).await.unwrap();

    let mut conn = w.services.store().read().await.unwrap();
    for id in [problem.id, idea.id, empty.id] {
        let full = cards::card(&mut conn, id).await.unwrap().unwrap();
        let quick = cards::card_tally(&mut conn, id).await.unwrap().unwrap();
        assert_eq!(quick, CardTally::of(&full), "card {}", full.text);
    }
    let full = cards::card(&mut conn, problem.id).await.unwrap().unwrap();
    assert_eq!(full.dots, 2 + 1 + 3 + 4 + 2);
    let missing = rembuk_domain::CardId::from_uuid(uuid::Uuid::new_v4());
    assert!(
        cards::card_tally(&mut conn, missing)
            .await
            .unwrap()
            .is_none()
    );
}
