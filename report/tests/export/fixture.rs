//! A realistic, fixed workshop: two days of FGD in Tapaktuan on four smart
//! city dimensions, compiled by the domain's own `compile` so that ranks,
//! breadth, minority views and imbalances are the real ones.
//!
//! Besides ordinary cards it holds the awkward ones an export must survive:
//! a formula (`=HYPERLINK(…)`), a script tag, a leading `+`, a `|`, a
//! card merged within a session, a cluster across sessions, hidden and
//! pending cards, a problem without USG and a dimension without any card.

use rembuk_domain::{
    CardId, Lang, QuestionId, SessionId, WorkshopId,
    audit::{AuditAction, AuditEntry},
    card::{Card, CardStatus, GroupDots},
    dimension::{Dimension, default_dimensions},
    event::GroupCount,
    group::default_groups,
    question::{Phase, Question, QuestionKind, VoteBudget, VotingMode},
    rating::{Horizon, IdeaScore, Programme, UsgScore},
    report::{Cluster, Facts, Report, ReportWorkshop, Scope, SessionFacts, compile},
    time::{Date, Timestamp},
};
use uuid::Uuid;

/// The formula a hostile participant typed as a problem.
pub const FORMULA_CARD: &str = r#"=HYPERLINK("http://evil.example","klik")"#;
/// The script a hostile participant typed as an idea.
pub const SCRIPT_CARD: &str = "<script>alert(1)</script>";
/// The text the secretariat gave the cross-session cluster.
pub const CLUSTER_TEXT: &str = "Antrean layanan kependudukan (KTP-el) sangat panjang";
/// The card media alone ranks high: a minority view.
pub const MINORITY_CARD: &str = "Belum ada jalur evakuasi tsunami yang jelas";

pub fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(s).expect("a fixed RFC 3339 instant")
}

pub fn card_id(n: u128) -> CardId {
    CardId(Uuid::from_u128(0xca00 + n))
}

fn session_id(n: u128) -> SessionId {
    SessionId(Uuid::from_u128(0x5e00 + n))
}

fn question_id(n: u128) -> QuestionId {
    QuestionId(Uuid::from_u128(0x9000 + n))
}

/// The report in a language, generated at a fixed instant.
pub fn report(lang: Lang) -> Report {
    compile(&facts(lang))
}

pub fn facts(lang: Lang) -> Facts {
    Facts {
        scope: Scope::Workshop,
        workshop: ReportWorkshop {
            id: WorkshopId(Uuid::from_u128(0x3001)),
            title: "FGD Rencana Induk Smart City Aceh Selatan".into(),
            place: Some("Aula Bappeda, Tapaktuan".into()),
            starts_on: Date::parse("2026-12-01"),
            ends_on: Date::parse("2026-12-02"),
            language: lang,
        },
        dimensions: dimensions(lang),
        groups: default_groups(lang),
        sessions: vec![day_one(), day_two()],
        clusters: vec![Cluster {
            id: "cl-1".into(),
            text: CLUSTER_TEXT.into(),
            cards: vec![card_id(1), card_id(20)],
        }],
        workshop_audit: vec![AuditEntry {
            target: Some("cl-1".into()),
            detail: Some(CLUSTER_TEXT.into()),
            ..audit("2026-12-02T09:30:00Z", SECRETARIAT, AuditAction::Merge)
        }],
        // 17:00 WIB on the second day.
        generated_at: ts("2026-12-02T10:00:00Z"),
    }
}

/// Governance, economy (no cards at all), living and environment.
fn dimensions(lang: Lang) -> Vec<Dimension> {
    default_dimensions(lang)
}

fn question(
    n: u128,
    session: u128,
    dimension: &str,
    sub_element: Option<&str>,
    kind: QuestionKind,
    prompt: &str,
) -> Question {
    Question {
        id: question_id(n),
        session_id: session_id(session),
        dimension: dimension.into(),
        sub_element: sub_element.map(Into::into),
        prompt: prompt.into(),
        kind,
        vote_budget: VoteBudget::DEFAULT,
        phase: Phase::Closed,
        position: n as u32,
        created_at: ts("2026-12-01T02:00:00Z"),
        hide_tallies: false,
        tallies_revealed: false,
        cards_while_voting: false,
        votes_while_collecting: false,
        timer_ends_at: None,
        voting_mode: VotingMode::Both,
    }
}

/// A visible card with dots per group; adjust the rest with struct update.
fn card(n: u128, q: &Question, text: &str, group: &str, dots: &[(&str, u32)]) -> Card {
    Card {
        id: card_id(n),
        question_id: q.id,
        session_id: q.session_id,
        kind: q.kind.card_kind(),
        text: text.into(),
        group: group.into(),
        answers: vec![],
        dots: dots.iter().map(|(_, d)| d).sum(),
        created_at: Timestamp(q.created_at.millis() + n as i64 * 60_000),
        status: CardStatus::Visible,
        pinned: false,
        sub_element: None,
        on_behalf: false,
        edited: false,
        merged_from: vec![],
        merge_id: None,
        hidden_reason: None,
        original_text: None,
        dots_by_group: dots
            .iter()
            .map(|(g, d)| GroupDots {
                group: (*g).into(),
                dots: *d,
            })
            .collect(),
        usg: None,
        idea_score: None,
        programme: None,
    }
}

fn usg(u: u64, s: u64, g: u64, raters: u32) -> Option<UsgScore> {
    UsgScore::from_sums(u, s, g, raters)
}

fn rated(impact: u64, effort: u64, raters: u32) -> Option<IdeaScore> {
    IdeaScore::from_sums(impact, effort, raters)
}

fn programme(horizon: Horizon, lead: Option<&str>) -> Option<Programme> {
    Some(Programme {
        horizon,
        lead_office: lead.map(Into::into),
    })
}

fn heads(counts: [u32; 5]) -> Vec<GroupCount> {
    ["government", "academia", "business", "community", "media"]
        .into_iter()
        .zip(counts)
        .map(|(group, count)| GroupCount {
            group: group.into(),
            count,
        })
        .collect()
}

fn audit(at: &str, actor: &str, action: AuditAction) -> AuditEntry {
    AuditEntry {
        at: ts(at),
        actor: actor.into(),
        action,
        target: None,
        reason: None,
        detail: None,
    }
}

const FACILITATOR: &str = "fasilitator@acehselatankab.go.id";
const SECRETARIAT: &str = "sekretariat@acehselatankab.go.id";

/// Day one: public services (governance).
fn day_one() -> SessionFacts {
    let q1 = question(
        1,
        1,
        "governance",
        Some("public_service"),
        QuestionKind::Problems,
        "Apa masalah utama pelayanan publik di Aceh Selatan?",
    );
    let q2 = question(
        2,
        1,
        "governance",
        Some("public_service"),
        QuestionKind::Ideas,
        "Gagasan apa yang dapat memperbaiki pelayanan publik?",
    );
    let cards = vec![
        Card {
            usg: usg(38, 36, 30, 8),
            ..card(
                1,
                &q1,
                "Antrean KTP-el di Disdukcapil sangat panjang",
                "community",
                &[
                    ("government", 2),
                    ("academia", 1),
                    ("business", 2),
                    ("community", 4),
                ],
            )
        },
        Card {
            usg: usg(25, 24, 26, 7),
            ..card(
                2,
                &q1,
                "Informasi layanan tersebar | sering berubah",
                "academia",
                &[("government", 1), ("academia", 3), ("community", 2)],
            )
        },
        Card {
            merged_from: vec![card_id(4)],
            sub_element: Some("bureaucracy".into()),
            ..card(
                3,
                &q1,
                "Jaringan internet kantor camat lambat",
                "government",
                &[("government", 3), ("business", 1)],
            )
        },
        Card {
            status: CardStatus::Merged,
            ..card(4, &q1, "Wi-Fi kantor camat sering putus", "government", &[])
        },
        card(5, &q1, FORMULA_CARD, "business", &[("business", 1)]),
        Card {
            status: CardStatus::Hidden,
            hidden_reason: Some("Iklan".into()),
            ..card(6, &q1, "Jual pulsa murah, hubungi kami", "community", &[])
        },
        Card {
            answers: vec![card_id(1)],
            idea_score: rated(18, 8, 4),
            programme: programme(Horizon::Short, Some("Disdukcapil")),
            ..card(
                10,
                &q2,
                "Antrean daring untuk layanan kependudukan",
                "government",
                &[("government", 2), ("academia", 1), ("community", 3)],
            )
        },
        Card {
            answers: vec![card_id(2)],
            idea_score: rated(16, 16, 4),
            programme: programme(Horizon::Medium, None),
            ..card(
                11,
                &q2,
                "Portal informasi layanan satu pintu",
                "academia",
                &[("academia", 2), ("business", 1)],
            )
        },
        card(12, &q2, SCRIPT_CARD, "media", &[]),
    ];
    let audit = vec![
        AuditEntry {
            target: Some(card_id(6).to_string()),
            reason: Some("Iklan, di luar topik".into()),
            ..audit("2026-12-01T02:15:00Z", FACILITATOR, AuditAction::Hide)
        },
        AuditEntry {
            target: Some(card_id(3).to_string()),
            detail: Some(
                "Wi-Fi kantor camat sering putus → Jaringan internet kantor camat lambat".into(),
            ),
            ..audit("2026-12-01T02:40:00Z", FACILITATOR, AuditAction::Merge)
        },
        AuditEntry {
            target: Some(question_id(1).to_string()),
            detail: Some("voting".into()),
            ..audit("2026-12-01T03:00:00Z", "timer", AuditAction::Phase)
        },
        // 00:30 WIB the next day: the date must follow WIB, not UTC.
        AuditEntry {
            detail: Some("Pemungutan suara kertas dicatat".into()),
            ..audit("2026-12-01T17:30:00Z", FACILITATOR, AuditAction::PaperVotes)
        },
    ];
    SessionFacts {
        id: session_id(1),
        title: "Hari 1 — Tata Kelola".into(),
        questions: vec![q1, q2],
        cards,
        participants: heads([8, 3, 3, 5, 1]),
        audit,
    }
}

/// Day two: governance again, living and environment.
fn day_two() -> SessionFacts {
    let q3 = question(
        3,
        2,
        "governance",
        Some("bureaucracy"),
        QuestionKind::Problems,
        "Hambatan birokrasi apa yang paling terasa?",
    );
    let q4 = question(
        4,
        2,
        "living",
        None,
        QuestionKind::Problems,
        "Apa masalah kesehatan dan transportasi di Aceh Selatan?",
    );
    let q5 = question(
        5,
        2,
        "living",
        None,
        QuestionKind::Ideas,
        "Gagasan apa untuk kesehatan dan transportasi?",
    );
    let q6 = question(
        6,
        2,
        "environment",
        Some("waste"),
        QuestionKind::Problems,
        "Apa masalah sampah dan lingkungan yang paling mendesak?",
    );
    let q7 = question(
        7,
        2,
        "environment",
        Some("waste"),
        QuestionKind::Ideas,
        "Gagasan apa untuk sampah dan lingkungan?",
    );
    let q8 = question(
        8,
        2,
        "branding",
        Some("tourism"),
        QuestionKind::Problems,
        "Apa yang menghambat wisata Aceh Selatan dikenal?",
    );
    let q9 = question(
        9,
        2,
        "society",
        None,
        QuestionKind::Problems,
        "Apa masalah literasi digital warga?",
    );
    let living = |n, text: &str, sub: &str, dots: &[(&str, u32)]| Card {
        sub_element: Some(sub.into()),
        ..card(n, &q4, text, "community", dots)
    };
    let mut cards = vec![
        Card {
            usg: usg(12, 11, 9, 3),
            ..card(
                20,
                &q3,
                "Antrean layanan KTP di kecamatan lama",
                "community",
                &[("community", 2), ("government", 1)],
            )
        },
        Card {
            usg: usg(17, 16, 14, 5),
            ..card(
                21,
                &q3,
                "Tanda tangan berjenjang memperlambat izin",
                "business",
                &[("business", 3), ("government", 1), ("academia", 1)],
            )
        },
        Card {
            usg: usg(27, 28, 25, 6),
            ..living(
                30,
                "Puskesmas kekurangan dokter di kecamatan terpencil",
                "health",
                &[
                    ("government", 3),
                    ("academia", 2),
                    ("business", 1),
                    ("community", 4),
                ],
            )
        },
        Card {
            usg: usg(18, 17, 20, 6),
            ..living(
                31,
                "Angkutan umum antarkecamatan jarang",
                "mobility",
                &[
                    ("government", 2),
                    ("academia", 1),
                    ("business", 2),
                    ("community", 3),
                ],
            )
        },
        living(
            32,
            "Rujukan pasien ke RSUD lambat",
            "health",
            &[("government", 2), ("academia", 2), ("community", 2)],
        ),
        Card {
            edited: true,
            original_text: Some("jalan desa".into()),
            ..living(
                33,
                "Jalan ke desa pesisir rusak saat musim hujan",
                "mobility",
                &[("government", 1), ("business", 2), ("community", 2)],
            )
        },
        living(
            34,
            "Tata ruang kawasan pesisir belum jelas",
            "spatial_harmony",
            &[("academia", 2), ("government", 1)],
        ),
        living(
            35,
            "Ambulans desa tidak tersedia",
            "health",
            &[("community", 2), ("government", 1)],
        ),
        living(
            36,
            "Trotoar di pusat kota sempit",
            "mobility",
            &[("business", 1), ("academia", 1)],
        ),
        living(37, MINORITY_CARD, "spatial_harmony", &[("media", 1)]),
        Card {
            status: CardStatus::Pending,
            ..living(38, "Lampu jalan banyak yang mati", "mobility", &[])
        },
        Card {
            answers: vec![card_id(30), card_id(32)],
            idea_score: rated(21, 17, 5),
            programme: programme(Horizon::Medium, Some("Dinas Kesehatan")),
            ..card(
                40,
                &q5,
                "Telemedisin puskesmas–RSUD",
                "academia",
                &[("government", 2), ("academia", 2), ("community", 1)],
            )
        },
        Card {
            answers: vec![card_id(31)],
            programme: programme(Horizon::Long, Some("Dinas Perhubungan")),
            ..card(
                41,
                &q5,
                "Angkutan desa terjadwal",
                "community",
                &[("government", 1), ("community", 2), ("business", 1)],
            )
        },
        Card {
            answers: vec![card_id(37)],
            idea_score: rated(16, 8, 4),
            ..card(
                42,
                &q5,
                "Peta rawan bencana di aplikasi desa",
                "academia",
                &[("academia", 1), ("community", 1)],
            )
        },
        Card {
            usg: usg(29, 26, 27, 7),
            ..card(
                50,
                &q6,
                "Sampah menumpuk di pasar Tapaktuan",
                "community",
                &[("government", 2), ("community", 3), ("business", 1)],
            )
        },
        Card {
            sub_element: Some("protection".into()),
            ..card(
                51,
                &q6,
                "Abrasi pantai mengancam permukiman",
                "academia",
                &[("academia", 2), ("community", 2)],
            )
        },
        card(
            52,
            &q6,
            "+62 812 hotline sampah tidak aktif",
            "business",
            &[("business", 1)],
        ),
        card(
            70,
            &q8,
            "Pantai Tapaktuan belum ada di peta wisata daring",
            "business",
            &[("business", 2), ("media", 1), ("community", 1)],
        ),
        card(
            71,
            &q8,
            "Tidak ada kalender acara budaya bersama",
            "media",
            &[("media", 1)],
        ),
        Card {
            usg: usg(10, 11, 12, 3),
            ..card(
                72,
                &q9,
                "Warga lansia belum bisa memakai layanan daring",
                "academia",
                &[("academia", 2), ("community", 2), ("government", 1)],
            )
        },
        Card {
            answers: vec![card_id(50)],
            idea_score: rated(22, 9, 5),
            ..card(
                60,
                &q7,
                "Bank sampah di setiap gampong",
                "community",
                &[("community", 3), ("government", 1)],
            )
        },
    ];
    cards.sort_by_key(|c| c.id);
    let audit = vec![AuditEntry {
        target: Some(card_id(33).to_string()),
        reason: Some("Perjelas lokasi | ejaan".into()),
        detail: Some("jalan desa → Jalan ke desa pesisir rusak saat musim hujan".into()),
        ..audit("2026-12-02T03:10:00Z", FACILITATOR, AuditAction::Edit)
    }];
    SessionFacts {
        id: session_id(2),
        title: "Hari 2 — Kehidupan dan Lingkungan".into(),
        questions: vec![q3, q4, q5, q6, q7, q8, q9],
        cards,
        participants: heads([7, 4, 2, 6, 1]),
        audit,
    }
}
