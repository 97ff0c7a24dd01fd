//! Shared set-up for the service tests: a fresh real database per test (a
//! SQLite file, or a PostgreSQL database when `REMBUK_TEST_POSTGRES` is set).

#![allow(dead_code)]

use rembuk_domain::{
    SessionId, card::Card, question::Question, session::Session, workshop::Workshop,
};
use rembuk_service::{
    Caller, CardInput, JoinInput, QuestionInput, ServiceConfig, Services, WorkshopInput,
    auth::{Credentials, TokenKind, new_token},
};

pub struct World {
    pub services: Services,
    pub admin: Caller,
    _dir: tempfile::TempDir,
}

pub async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = rembuk_service::storage::scratch_database(dir.path())
        .await
        .unwrap();
    let services = Services::start(&url, ServiceConfig::default())
        .await
        .unwrap();
    let login = services
        .set_up_admin("admin@acehselatankab.go.id", "kopi-sanger-pagi")
        .await
        .unwrap();
    let admin = services
        .caller(&Credentials {
            staff: Some(login.token),
            device: None,
        })
        .await
        .unwrap();
    World {
        services,
        admin,
        _dir: dir,
    }
}

impl World {
    pub async fn staff(&self, email: &str, role: &str) -> Caller {
        self.services
            .add_user(&self.admin, email, role, "rahasia-sekali-123")
            .await
            .unwrap();
        let login = self
            .services
            .log_in(email, "rahasia-sekali-123")
            .await
            .unwrap();
        self.services
            .caller(&Credentials {
                staff: Some(login.token),
                device: None,
            })
            .await
            .unwrap()
    }

    pub async fn workshop(&self, by: &Caller) -> Workshop {
        let input = WorkshopInput {
            title: "FGD Smart City Aceh Selatan".into(),
            ..Default::default()
        };
        self.services.create_workshop(by, &input).await.unwrap()
    }

    pub async fn session(&self, by: &Caller) -> (Workshop, Session) {
        let w = self.workshop(by).await;
        let s = self
            .services
            .create_session(by, w.id, "Hari 1 — Tata Kelola")
            .await
            .unwrap();
        (w, s)
    }

    pub async fn question(&self, by: &Caller, session: SessionId, kind: &str) -> Question {
        let input = QuestionInput {
            dimension: "governance".into(),
            sub_element: Some("public_service".into()),
            prompt: "Apa masalah utama pelayanan publik?".into(),
            kind: kind.into(),
            ..Default::default()
        };
        self.services
            .create_question(by, session, &input)
            .await
            .unwrap()
    }

    pub async fn participant(&self, session: &Session, group: &str) -> Caller {
        let device = Caller {
            staff: None,
            device: Some(new_token(TokenKind::Device)),
        };
        let input = JoinInput {
            code: session.join_code.digits(),
            group: group.into(),
            name: None,
            consent: true,
            passcode: None,
        };
        let joined = self.services.join(&device, &input, None).await.unwrap();
        Caller {
            staff: None,
            device: Some(joined.token),
        }
    }

    /// Two sessions of one workshop (the admin's): a participant of the
    /// second is a stranger to the first.
    pub async fn two_sessions(&self) -> (Session, Session) {
        let (ws, s) = self.session(&self.admin).await;
        let other = self
            .services
            .create_session(&self.admin, ws.id, "Ruang 2")
            .await
            .unwrap();
        (s, other)
    }

    /// A session whose problems question is open for votes, with one card
    /// on it (written by someone from the media).
    pub async fn card_up_for_vote(&self, text: &str) -> (Session, Card) {
        let (_, s) = self.session(&self.admin).await;
        let q = self.question(&self.admin, s.id, "problems").await;
        let author = self.participant(&s, "media").await;
        let card = self
            .services
            .submit_card(&author, q.id, &World::card(text), None)
            .await
            .unwrap()
            .card;
        self.services
            .set_phase(&self.admin, q.id, "voting")
            .await
            .unwrap();
        (s, card)
    }

    /// Where the session's history stands.
    pub async fn seq(&self, session: SessionId) -> u64 {
        self.services
            .session_snapshot(&self.admin, session)
            .await
            .unwrap()
            .seq
    }

    pub fn card(text: &str) -> CardInput {
        CardInput {
            kind: None,
            text: text.into(),
            ..Default::default()
        }
    }
}
