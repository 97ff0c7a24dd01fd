//! Server-rendered pages and plain form posts: what a phone without
//! JavaScript gets.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::spawn_app;

/// Page tests run one at a time. A run of this file in CI twice saw one
/// server-rendered page never answer while other tests rendered pages on
/// other threads of the same process (each test has its own runtime);
/// never reproduced alone or in ten loaded reruns. Until the cause is
/// found, renders from different test threads do not overlap here, and the
/// test client's timeout turns any stall into a failure.
async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static ONE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    ONE.lock().await
}

/// A browser without scripts: keeps cookies, posts forms, follows
/// redirects by hand.
struct Browser<'a> {
    app: &'a support::TestApp,
    cookies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a support::TestApp) -> Self {
        Browser {
            app,
            cookies: vec![],
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, r: &reqwest::Response) {
        for set in r.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String) {
        let r = self
            .app
            .client
            .get(self.app.url(path))
            .header("accept", "text/html")
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(&r);
        let status = r.status();
        (status, r.text().await.unwrap())
    }

    /// Posts a form from `page`, as a browser does; returns the redirect target.
    async fn post_form(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> String {
        let r = self
            .app
            .client
            .request(Method::POST, self.app.url(action))
            .header("accept", "text/html")
            .header("referer", self.app.url(page))
            .header("origin", self.app.base.clone())
            .header("cookie", self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap();
        self.keep_cookies(&r);
        assert_eq!(
            r.status(),
            StatusCode::FOUND,
            "a form post answers with a redirect"
        );
        r.headers()["location"]
            .to_str()
            .unwrap()
            .trim_start_matches(&self.app.base)
            .to_string()
    }

    /// Posts a form the server refuses, as a browser does; returns the page
    /// it is sent back to, with the error in its address.
    async fn post_refused(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> String {
        let back = self.post_form(page, action, fields).await;
        assert!(back.contains("__err="), "{back}");
        self.get(&back).await.1
    }

    /// Joins as the media group with consent (and the passcode, if given)
    /// from the join page's form; returns the redirect target.
    async fn join_as_media(&mut self, code: &str, passcode: &str) -> String {
        self.post_form(
            &format!("/j/{code}"),
            "/fn/join_session",
            &[
                ("code", code),
                ("group", "media"),
                ("consent", "yes"),
                ("passcode", passcode),
            ],
        )
        .await
    }
}

/// Sets a session's join passcode through the API.
async fn set_passcode(app: &support::TestApp, room: &support::Room, passcode: &str) {
    let r = app
        .put(
            &format!("/api/v1/sessions/{}/passcode", room.session),
            Some(&room.admin),
            json!({ "passcode": passcode }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_fresh_instance_sends_the_first_visitor_to_setup() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let mut b = Browser::new(&app);
    let r = app
        .client
        .get(app.url("/"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], "/setup");
    let (status, html) = b.get("/setup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Siapkan Rembuk"));
    let next = b
        .post_form(
            "/setup",
            "/fn/set_up",
            &[
                ("email", "admin@example.id"),
                ("password", "kopi-sanger-pagi"),
            ],
        )
        .await;
    assert_eq!(next, "/admin");
    let (_, html) = b.get("/admin").await;
    assert!(html.contains("admin@example.id"), "signed in after setup");
    // Setup is gone now.
    let r = app
        .client
        .get(app.url("/setup"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login");
}

#[tokio::test]
async fn staff_pages_send_strangers_to_the_login_page() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    app.admin().await;
    let r = app
        .client
        .get(app.url("/admin"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], "/login?next=/admin");
}

#[tokio::test]
async fn join_write_vote_and_take_back_all_work_without_javascript() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let mut phone = Browser::new(&app);

    let (status, html) = phone.get(&format!("/j/{}", room.code)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Akademisi") && html.contains("name=\"consent\""));
    let next = phone
        .post_form(
            &format!("/j/{}", room.code),
            "/fn/join_session",
            &[
                ("code", &room.code),
                ("group", "academia"),
                ("consent", "yes"),
            ],
        )
        .await;
    assert_eq!(next, format!("/s/{}", room.code));
    assert!(phone.cookies.iter().any(|(k, _)| k == "rembuk_p"));

    let page = next.clone();
    let (_, html) = phone.get(&page).await;
    assert!(html.contains("Apa masalah utama pelayanan publik?"));
    let key = form_key(&html);
    let fields = [
        ("question_id", room.question.as_str()),
        ("text", "Antrean KTP di kecamatan sangat panjang"),
        ("idempotency_key", &key),
    ];
    let back = phone.post_form(&page, "/fn/submit_card", &fields).await;
    assert!(back.starts_with(&page), "{back}");
    // The same form sent twice (a double tap, a resend) makes one card.
    phone.post_form(&page, "/fn/submit_card", &fields).await;
    let (_, html) = phone.get(&page).await;
    assert_eq!(
        html.matches("\">Antrean KTP di kecamatan sangat panjang</p>")
            .count(),
        1,
        "one card, shown once"
    );

    app.phase(&room.admin, &room.question, "voting").await;
    let snap: Value = app
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&room.admin),
        )
        .await
        .json()
        .await
        .unwrap();
    let card = snap["cards"][0]["id"].as_str().unwrap().to_string();
    let (_, html) = phone.get(&page).await;
    assert!(
        html.contains("action=\"/fn/set_vote\""),
        "vote buttons are forms"
    );
    phone
        .post_form(&page, "/fn/set_vote", &[("card_id", &card), ("dots", "1")])
        .await;
    phone
        .post_form(&page, "/fn/set_vote", &[("card_id", &card), ("dots", "2")])
        .await;
    let (_, html) = phone.get(&page).await;
    assert!(
        html.contains(&format!("data-my-dots=\"{card}\">2<")),
        "the page shows my two dots"
    );
    assert!(html.contains("Sisa suara: 1 dari 3"));
    phone
        .post_form(&page, "/fn/set_vote", &[("card_id", &card), ("dots", "0")])
        .await;
    let snap: Value = app
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&room.admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snap["cards"][0]["dots"], 0, "unvote works too");
}

#[tokio::test]
async fn a_refused_form_post_shows_its_error_on_the_page() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let mut phone = Browser::new(&app);
    let join_page = format!("/j/{}", room.code);
    // No consent ticked.
    let html = phone
        .post_refused(
            &join_page,
            "/fn/join_session",
            &[("code", &room.code), ("group", "media")],
        )
        .await;
    assert!(
        html.contains("Anda perlu menyetujui pernyataan persetujuan untuk ikut serta."),
        "the error is shown in Indonesian"
    );
}

#[tokio::test]
async fn the_join_page_speaks_the_workshops_language_until_the_reader_chooses() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w: Value = app
        .post(
            "/api/v1/workshops",
            Some(&admin),
            json!({"title": "Smart City FGD", "language": "en"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let s = app.session(&admin, w["id"].as_str().unwrap()).await;
    let code = s["join_code"].as_str().unwrap();
    let mut phone = Browser::new(&app);
    let (_, html) = phone.get(&format!("/j/{code}")).await;
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Which group do you represent?"));
    let r = app
        .client
        .get(app.url(&format!("/lang?set=id&next=/j/{code}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], format!("/j/{code}"));
    phone.keep_cookies(&r);
    let (_, html) = phone.get(&format!("/j/{code}")).await;
    assert!(html.contains("<html lang=\"id\""));
    assert!(html.contains("Anda mewakili kelompok mana?"));
}

#[tokio::test]
async fn refused_cards_and_votes_without_javascript_say_why_on_the_participant_page() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let mut phone = Browser::new(&app);
    let page = phone.join_as_media(&room.code, "").await;
    let (_, html) = phone.get(&page).await;
    assert!(!html.contains("class=\"error-box\""), "no error yet");
    // Spaces only: the browser's `required` lets them through, the
    // server does not.
    let html = phone
        .post_refused(
            &page,
            "/fn/submit_card",
            &[("question_id", &room.question), ("text", "   ")],
        )
        .await;
    let expected = rembuk_domain::AppError::invalid(
        rembuk_domain::error::Field::Text,
        rembuk_domain::error::Problem::Required,
    )
    .message(rembuk_domain::Lang::Id);
    assert!(
        html.contains(&error_box(&expected)),
        "the refusal is on the page, in Indonesian: {expected}"
    );

    // A vote past the budget, from a page that still offered "+".
    let other = app.join(&room.code, "academia").await;
    let card = app.card(&other, &room.question, "Jalan rusak").await;
    let card = card["id"].as_str().unwrap();
    app.phase(&room.admin, &room.question, "voting").await;
    let html = phone
        .post_refused(&page, "/fn/set_vote", &[("card_id", card), ("dots", "5")])
        .await;
    let expected = rembuk_domain::AppError::OverBudget {
        budget: 3,
        used_elsewhere: 0,
        requested: 5,
    }
    .message(rembuk_domain::Lang::Id);
    assert!(
        html.contains(&error_box(&expected)),
        "the refused vote says why: {expected}"
    );
}

/// The idempotency key of the first card form on a page.
fn form_key(html: &str) -> String {
    html.split("name=\"idempotency_key\" value=\"")
        .nth(1)
        .expect("a card form")
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// The page's error box with `message`, as the server renders it.
fn error_box(message: &str) -> String {
    format!("<p role=\"alert\" class=\"error-box\">{message}</p>")
}

/// An HTML attribute's value as the browser reads it.
fn attribute(html: &str, element_id: &str, name: &str) -> String {
    let start = html
        .find(&format!("id=\"{element_id}\""))
        .unwrap_or_else(|| panic!("no #{element_id}"));
    let tag = &html[html[..start].rfind('<').unwrap()..];
    let tag = &tag[..tag.find('>').unwrap()];
    let raw = tag
        .split(&format!(" {name}=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        .split('"')
        .next()
        .unwrap();
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = rest[at..].find(';').unwrap() + at;
        let entity = &rest[at + 1..end];
        out.push(match entity {
            "amp" => '&',
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            "apos" => '\'',
            _ => {
                let n = entity.strip_prefix('#').unwrap();
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                    None => n.parse().unwrap(),
                };
                char::from_u32(code).unwrap()
            }
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn the_participant_page_carries_the_snapshot_its_island_starts_from() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let mut phone = Browser::new(&app);
    let page = phone.join_as_media(&room.code, "").await;
    // Everything HTML and JSON escape, in one card.
    let text = "Air \"bersih\" & <listrik> 'desa' 50% \\ 🌧 Tapaktuan\nbaris dua";
    let (_, html) = phone.get(&page).await;
    let key = form_key(&html);
    phone
        .post_form(
            &page,
            "/fn/submit_card",
            &[
                ("question_id", &room.question),
                ("text", text),
                ("idempotency_key", &key),
            ],
        )
        .await;

    let (_, html) = phone.get(&page).await;
    assert_eq!(
        attribute(&html, "participant-start", "data-code"),
        room.code
    );
    let json = attribute(&html, "participant-start", "data-snapshot");
    // What the browser's reader makes of it is what serde makes of it.
    let read: rembuk_domain::snapshot::SessionSnapshot =
        rembuk_domain::json::read(&json).expect("the browser's reader reads the snapshot");
    let by_serde: rembuk_domain::snapshot::SessionSnapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(read, by_serde);
    assert_eq!(read.session.id.to_string(), room.session);
    assert_eq!(read.cards.len(), 1);
    assert_eq!(read.cards[0].text, text);
    assert!(
        read.is_mine(read.cards[0].id),
        "the card is marked as this phone's"
    );
    assert!(read.me.is_some());
}

/// A language link the app did not make is refused in the reader's
/// language, not with the framework's English, and sets nothing.
#[tokio::test]
async fn a_language_link_without_a_known_language_is_a_clear_400() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    for (target, accept, said) in [
        (
            "/lang?set=fr&next=/",
            "en",
            "Language is not in the expected format.",
        ),
        (
            "/lang?next=/",
            "en",
            "Language is not in the expected format.",
        ),
        ("/lang", "id", "Bahasa tidak sesuai format."),
    ] {
        let r = app
            .client
            .get(app.url(target))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{target}");
        assert!(r.headers().get("set-cookie").is_none(), "{target}");
        assert_eq!(r.text().await.unwrap(), said, "{target}");
    }
}

#[tokio::test]
async fn unknown_pages_are_a_real_404() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    app.admin().await;
    let mut b = Browser::new(&app);
    let (status, html) = b.get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Halaman tidak ditemukan"));
    let (status, html) = b.get("/j/999999").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Kode sesi ini tidak ditemukan"));
}

#[tokio::test]
async fn the_projector_shows_the_code_qr_question_and_ranked_cards() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "media").await;
    let a = app
        .card(&p, &room.question, "Kartu dengan sedikit suara")
        .await;
    let b = app
        .card(&p, &room.question, "Kartu dengan banyak suara")
        .await;
    app.phase(&room.admin, &room.question, "voting").await;
    app.vote(&p, a["id"].as_str().unwrap(), 1).await;
    app.vote(&p, b["id"].as_str().unwrap(), 2).await;
    let html = app
        .client
        .get(app.url(&format!("/admin/sessions/{}/screen", room.session)))
        .header("accept", "text/html")
        .bearer_auth(&room.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let spaced = format!("{} {}", &room.code[..3], &room.code[3..]);
    assert!(html.contains(&spaced), "the code is on screen");
    assert!(html.contains("<svg"), "the QR code is on screen");
    assert!(html.contains("Apa masalah utama pelayanan publik?"));
    // Look in the rendered list, not in the island's data.
    let list = &html[html.find("class=\"projector-cards\"").unwrap()..];
    let many = list.find("Kartu dengan banyak suara").unwrap();
    let few = list.find("Kartu dengan sedikit suara").unwrap();
    assert!(many < few, "ranked by votes");
}

#[tokio::test]
async fn the_workshop_page_lists_its_facilitators_and_lets_the_admin_add_one() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let html = app
        .client
        .get(app.url(&format!("/admin/workshops/{}", room.workshop)))
        .header("accept", "text/html")
        .bearer_auth(&room.admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(support::ADMIN_EMAIL),
        "the creator runs the workshop"
    );
    assert!(
        html.contains("action=\"/fn/add_member\""),
        "admins can add facilitators"
    );
}

/// GETs a page as a signed-in staff member (bearer token).
async fn staff_page(app: &support::TestApp, token: &str, path: &str) -> (StatusCode, String) {
    let r = app
        .client
        .get(app.url(path))
        .header("accept", "text/html")
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn the_secretariat_sees_the_roll_up_with_charts_views_and_exports() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let secretariat = app
        .staff(
            &room.admin,
            "sekretariat@acehselatankab.go.id",
            "secretariat",
        )
        .await;
    let community = app.join(&room.code, "community").await;
    let media = app.join(&room.code, "media").await;
    let a = app
        .card(&community, &room.question, "Jalan desa rusak parah")
        .await;
    let b = app
        .card(&media, &room.question, "Sinyal internet lemah di gampong")
        .await;
    app.phase(&room.admin, &room.question, "voting").await;
    app.vote(&community, a["id"].as_str().unwrap(), 3).await;
    app.vote(&media, b["id"].as_str().unwrap(), 1).await;

    // The dashboard lists the workshop for the secretariat too.
    let (status, html) = staff_page(&app, &secretariat, "/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("FGD Smart City Aceh Selatan"));

    let path = format!("/admin/workshops/{}/report", room.workshop);
    let (status, html) = staff_page(&app, &secretariat, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Jalan desa rusak parah"));
    assert!(html.contains("<svg"), "a chart of the top problems");
    for format in ["docx", "xlsx", "md", "csv", "json", "html"] {
        assert!(
            html.contains(&format!(
                "/api/v1/workshops/{}/report?format={format}",
                room.workshop
            )),
            "{format} link"
        );
    }
    let overall = html.find("Jalan desa rusak parah").unwrap();
    let other = html.find("Sinyal internet lemah di gampong").unwrap();
    assert!(overall < other, "overall: most dots first");

    // The media's own ranking puts its card first.
    let (_, html) = staff_page(&app, &secretariat, &format!("{path}?by=media")).await;
    let table = &html[html.find("<table").unwrap()..];
    let mine = table.find("Sinyal internet lemah di gampong").unwrap();
    let theirs = table.find("Jalan desa rusak parah").unwrap();
    assert!(mine < theirs, "ranked by the media's dots");
    let (status, _) = staff_page(&app, &secretariat, &format!("{path}?by=equal")).await;
    assert_eq!(status, StatusCode::OK);

    // One session's roll-up.
    let (status, html) = staff_page(
        &app,
        &secretariat,
        &format!("/admin/sessions/{}/report", room.session),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Sinyal internet lemah di gampong"));
    assert!(html.contains(&format!(
        "/api/v1/sessions/{}/report?format=docx",
        room.session
    )));
}

#[tokio::test]
async fn a_card_text_cannot_break_out_of_the_consoles_edit_box() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let p = app.join(&room.code, "media").await;
    let payload = "</textarea><script>window.__xss=1</script>";
    app.card(&p, &room.question, payload).await;
    let (status, html) = staff_page(
        &app,
        &room.admin,
        &format!("/admin/sessions/{}", room.session),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("<script>window.__xss"),
        "raw markup in the page"
    );
    assert!(
        html.contains("&lt;/textarea&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;</textarea>"),
        "the edit box holds the text, escaped"
    );
}

#[tokio::test]
async fn pages_carry_a_script_policy_without_unsafe_inline_and_every_inline_script_has_its_nonce() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    for path in [
        "/".to_string(),
        format!("/j/{}", room.code),
        format!("/admin/sessions/{}", room.session),
        "/no-such-page".to_string(),
    ] {
        let r = app
            .client
            .get(app.url(&path))
            .header("accept", "text/html")
            .bearer_auth(&room.admin)
            .send()
            .await
            .unwrap();
        let policy = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let script_src = policy
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap_or_else(|| panic!("{path}: no script-src in {policy}"));
        assert!(!script_src.contains("unsafe-inline"), "{path}: {policy}");
        let nonce = script_src
            .split_whitespace()
            .find_map(|s| s.strip_prefix("'nonce-"))
            .and_then(|s| s.strip_suffix('\''))
            .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"))
            .to_string();
        assert!(nonce.len() >= 22, "a 128-bit nonce: {nonce}");
        let html = r.text().await.unwrap();
        let inline: Vec<&str> = html
            .match_indices("<script")
            .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap()])
            .filter(|tag| !tag.contains(" src="))
            .collect();
        assert!(!inline.is_empty(), "{path}: the hydration scripts");
        for tag in inline {
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: {tag} lacks the page's nonce"
            );
        }
    }
    // The print page runs no script at all.
    let r = app
        .get(
            &format!("/api/v1/workshops/{}/report?format=html", room.workshop),
            Some(&room.admin),
        )
        .await;
    let policy = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
}

/// The nonce of a page's script policy, and the page.
async fn page_and_nonce(r: reqwest::Response) -> (String, String) {
    assert_eq!(r.status(), StatusCode::OK);
    let policy = r.headers()["content-security-policy"].to_str().unwrap();
    let nonce = policy
        .split_whitespace()
        .find_map(|s| s.strip_prefix("'nonce-"))
        .and_then(|s| s.strip_suffix('\''))
        .unwrap()
        .to_string();
    (r.text().await.unwrap(), nonce)
}

#[tokio::test]
async fn the_qr_codes_join_page_is_the_same_for_first_visitors_but_its_nonce_and_follows_changes_at_once()
 {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let join = format!("/j/{}", room.code);
    let first_visit = || async {
        page_and_nonce(
            app.client
                .get(app.url(&join))
                .header("accept", "text/html")
                .send()
                .await
                .unwrap(),
        )
        .await
    };
    let (one, one_nonce) = first_visit().await;
    let (two, two_nonce) = first_visit().await;
    assert_ne!(one_nonce, two_nonce, "every response has its own nonce");
    assert!(!two.contains(&one_nonce));
    assert_eq!(
        one.replace(&one_nonce, "N"),
        two.replace(&two_nonce, "N"),
        "otherwise the same page"
    );
    assert!(two.contains(&format!("nonce=\"{two_nonce}\"")));
    assert!(!two.contains("name=\"passcode\""));

    // A change shows on the next visit, not a moment later.
    set_passcode(&app, &room, "KOPI26").await;
    let (three, _) = first_visit().await;
    assert!(three.contains("name=\"passcode\""), "the form asks for it");

    // A phone that joined gets its own page, and first visitors still not.
    let mut phone = Browser::new(&app);
    let next = phone.join_as_media(&room.code, "KOPI26").await;
    assert_eq!(next, format!("/s/{}", room.code));
    let (_, mine) = phone.get(&join).await;
    assert!(mine.contains("Anda sudah bergabung dari perangkat ini."));
    let (four, _) = first_visit().await;
    assert!(!four.contains("Anda sudah bergabung dari perangkat ini."));
}

#[tokio::test]
async fn a_passcode_join_and_a_withdrawal_work_without_javascript() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    set_passcode(&app, &room, "KOPI26").await;
    let mut phone = Browser::new(&app);
    let join = format!("/j/{}", room.code);
    let (_, html) = phone.get(&join).await;
    assert!(html.contains("name=\"passcode\""), "the form asks for it");
    // A wrong passcode shows its error on the join page.
    let back = phone.join_as_media(&room.code, "kopi25").await;
    assert!(back.starts_with(&join), "{back}");
    let (_, html) = phone.get(&back).await;
    assert!(html.contains("Kata sandi sesi salah"), "{html}");
    let next = phone.join_as_media(&room.code, "kopi 26").await;
    assert_eq!(next, format!("/s/{}", room.code));
    let (_, html) = phone.get(&next).await;
    let withdraw = format!("/s/{}/withdraw", room.code);
    assert!(html.contains(&format!("href=\"{withdraw}\"")));

    // The withdrawal page says what will happen, then a plain form does it.
    let (status, html) = phone.get(&withdraw).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("tetap ada tanpa dikaitkan"),
        "the workshop keeps cards"
    );
    assert!(html.contains("action=\"/fn/withdraw_me\""));
    let after = phone
        .post_form(&withdraw, "/fn/withdraw_me", &[("code", &room.code)])
        .await;
    assert_eq!(after, format!("/j/{}?withdrawn=1", room.code));
    let (_, html) = phone.get(&after).await;
    assert!(html.contains("Anda telah mengundurkan diri"));
    // The session page no longer knows this phone: back to joining.
    let (_, html) = phone.get(&next).await;
    assert!(!html.contains(&format!("href=\"{withdraw}\"")));
    let snap: Value = app
        .get(
            &format!("/api/v1/sessions/{}", room.session),
            Some(&room.admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(snap["participants"], json!([]));
}

/// The values of the attributes that make a browser fetch something
/// (`src`, `href` outside links, `srcset`, `poster`, `action`) and of CSS
/// `url(…)`s in one page.
fn fetched_addresses(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (start, _) in html.match_indices('<') {
        let Some(len) = html[start..].find('>') else {
            continue;
        };
        let tag = &html[start + 1..start + len];
        let name = tag.split_whitespace().next().unwrap_or("");
        for attr in [" src=", " href=", " srcset=", " poster=", " action="] {
            if name.eq_ignore_ascii_case("a") && attr == " href=" {
                continue; // a link the reader may follow, not a fetch
            }
            for (at, _) in tag.match_indices(attr) {
                let rest = &tag[at + attr.len()..];
                let quote = rest.chars().next().unwrap_or(' ');
                let value = match quote {
                    '"' | '\'' => rest[1..].split(quote).next().unwrap_or(""),
                    _ => rest.split_whitespace().next().unwrap_or(""),
                };
                found.push(value.to_string());
            }
        }
    }
    for (at, _) in html.match_indices("url(") {
        let rest = &html[at + 4..];
        let value = rest.split(')').next().unwrap_or("");
        found.push(value.trim_matches(|c| c == '"' || c == '\'').to_string());
    }
    found
}

#[tokio::test]
async fn pages_load_nothing_from_another_origin() {
    let _one_at_a_time = serial().await;
    let app = spawn_app().await;
    let room = app.room().await;
    let own = |value: &str, base: &str| {
        let value = value.trim();
        (value.starts_with('/') && !value.starts_with("//"))
            || value.starts_with('#')
            || value.starts_with('?')
            || value.starts_with("data:")
            || value.starts_with(base)
            || value.is_empty()
    };
    let mut checked = 0;
    for path in [
        "/".to_string(),
        "/login".to_string(),
        "/j".to_string(),
        format!("/j/{}", room.code),
        format!("/admin/workshops/{}", room.workshop),
        format!("/admin/sessions/{}", room.session),
        format!("/admin/sessions/{}/screen", room.session),
        format!("/admin/sessions/{}/report", room.session),
        "/no-such-page".to_string(),
    ] {
        let (status, html) = staff_page(&app, &room.admin, &path).await;
        assert!(status == StatusCode::OK || status == StatusCode::NOT_FOUND);
        let addresses = fetched_addresses(&html);
        assert!(
            addresses
                .iter()
                .any(|a| a.starts_with("/pkg/") || a.starts_with("/v/")),
            "{path}: the page's own assets are found"
        );
        for address in &addresses {
            assert!(own(address, &app.base), "{path} fetches {address}");
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} addresses checked");
    // The stylesheet pulls in no font or image from elsewhere either.
    let css = app.get("/pkg/rembuk.css", None).await;
    if css.status() == StatusCode::OK {
        let css = css.text().await.unwrap();
        assert!(!css.contains("@import"), "no imported stylesheets");
        for address in fetched_addresses(&css) {
            assert!(own(&address, &app.base), "the stylesheet fetches {address}");
        }
    }
    let source =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../style/main.css")).unwrap();
    assert!(!source.contains("@import"));
    for address in fetched_addresses(&source) {
        assert!(own(&address, &app.base), "style/main.css fetches {address}");
    }
}

/// The `/v/<hash>/pkg/…` address in a page, for a file of `pkg/`.
fn versioned_address(html: &str, file: &str) -> String {
    let end = html
        .find(&format!("/pkg/{file}"))
        .unwrap_or_else(|| panic!("no /pkg/{file} in the page"));
    let start = html[..end].rfind("/v/").expect("a /v/<version> prefix");
    let version = &html[start + 3..end];
    assert_eq!(version.len(), 16, "{version}");
    assert!(version.bytes().all(|c| c.is_ascii_hexdigit()), "{version}");
    format!("{}/pkg/{file}", &html[start..end])
}

/// A site directory whose `pkg/` holds a tiny JS and WASM file for each
/// of `bundles`, and the CSS.
fn fake_site(bundles: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir(&pkg).unwrap();
    for name in bundles {
        std::fs::write(
            pkg.join(format!("{name}.js")),
            "export default function init() {}",
        )
        .unwrap();
        std::fs::write(pkg.join(format!("{name}.wasm")), b"\0asm\x01\0\0\0").unwrap();
    }
    std::fs::write(pkg.join("rembuk.css"), "body { color: #111 }").unwrap();
    (site, pkg)
}

#[tokio::test]
async fn pages_link_the_site_files_by_content_hash_and_browsers_may_keep_them_a_year() {
    let _one_at_a_time = serial().await;
    let (site, pkg) = fake_site(&["rembuk"]);
    let root = site.path().to_path_buf();
    let app = support::spawn_app_with(|c| c.site_root = root.clone()).await;
    app.admin().await;

    let html = app.get("/", None).await.text().await.unwrap();
    let js = versioned_address(&html, "rembuk.js");
    let css = versioned_address(&html, "rembuk.css");
    assert_eq!(
        js.trim_end_matches("rembuk.js"),
        css.trim_end_matches("rembuk.css")
    );
    // The island script loads the module and the WASM from the same place.
    let prefix = js.trim_end_matches("/pkg/rembuk.js");
    assert!(
        html.contains(&format!("{prefix:?}, \"pkg\", \"rembuk\"")),
        "{html}"
    );

    for (address, body) in [
        (&js, "export default function init() {}"),
        (&css, "body { color: #111 }"),
    ] {
        let r = app.get(address, None).await;
        assert_eq!(r.status(), StatusCode::OK, "{address}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{address}"
        );
        assert_eq!(r.text().await.unwrap(), body);
    }
    let wasm = app.get(&format!("{prefix}/pkg/rembuk.wasm"), None).await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");

    // The plain address still answers, but must be asked again each time.
    let plain = app.get("/pkg/rembuk.js", None).await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(plain.headers()["cache-control"], "no-cache");

    // Another build's address, or a missing file, is not found and not kept.
    for missing in [
        "/v/0123456789abcdef/pkg/rembuk.js".to_string(),
        format!("{prefix}/pkg/nothing.js"),
        // (A client resolves a literal `..` itself; an encoded one arrives.)
        format!("{prefix}/pkg/%2e%2e/%2e%2e/Cargo.toml"),
    ] {
        let r = app.get(&missing, None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{missing}");
        assert!(
            r.headers()
                .get("cache-control")
                .is_none_or(|v| v != "public, max-age=31536000, immutable"),
            "{missing}"
        );
    }

    // New content is a new address.
    std::fs::write(
        pkg.join("rembuk.js"),
        "export default function init() { return 2 }",
    )
    .unwrap();
    let rebuilt = support::spawn_app_with(|c| c.site_root = root.clone()).await;
    rebuilt.admin().await;
    let html = rebuilt.get("/", None).await.text().await.unwrap();
    assert_ne!(versioned_address(&html, "rembuk.js"), js);
}

#[tokio::test]
async fn phone_pages_load_the_phone_bundle_and_staff_pages_the_full_one() {
    let _one_at_a_time = serial().await;
    let (site, _) = fake_site(&["rembuk", "rembuk-phone"]);
    let root = site.path().to_path_buf();
    let app = support::spawn_app_with(|c| c.site_root = root.clone()).await;
    let token = app.admin().await;

    // The island script names the bundle: `…, "pkg", "<name>"`.
    let bundle = |html: &str| -> &'static str {
        if html.contains("\"pkg\", \"rembuk-phone\"") {
            "rembuk-phone"
        } else if html.contains("\"pkg\", \"rembuk\"") {
            "rembuk"
        } else {
            panic!("no bundle in {html}")
        }
    };
    for (path, expected) in [
        ("/", "rembuk-phone"),
        ("/login", "rembuk-phone"),
        ("/admin", "rembuk"),
    ] {
        let r = app.get(path, Some(&token)).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        assert_eq!(bundle(&html), expected, "{path}");
        let js = versioned_address(&html, &format!("{expected}.js"));
        assert_eq!(app.get(&js, None).await.status(), StatusCode::OK, "{js}");
    }
}

#[tokio::test]
async fn at_a_venue_a_phone_cannot_take_the_first_run_setup() {
    let _one_at_a_time = serial().await;
    // Venue mode's rule. A test has no second device, so the phone's and
    // the laptop's LAN addresses come through a proxy on this machine.
    let laptop = "192.0.2.10";
    let phone = "192.0.2.57";
    let app = support::spawn_app_with(|c| {
        c.trusted_proxies = rembuk::proxy::TrustedProxies(vec!["127.0.0.1".parse().unwrap()]);
        c.setup_from = rembuk_service::SetupFrom::ThisComputer(vec![laptop.parse().unwrap()]);
    })
    .await;
    let page = |from: &'static str, path: &'static str| {
        app.client
            .get(app.url(path))
            .header("accept", "text/html")
            .header("x-forwarded-for", from)
            .send()
    };

    // The phone that scanned the code first gets the code box, not setup.
    let home = page(phone, "/").await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    assert!(home.text().await.unwrap().contains("name=\"code\""));
    let setup = page(phone, "/setup").await.unwrap();
    assert_eq!(setup.headers()["location"], "/login");
    // Neither the API nor the page's form creates an administrator for it.
    let api = app
        .client
        .post(app.url("/api/v1/setup"))
        .header("x-forwarded-for", phone)
        .header("accept-language", "id")
        .json(&json!({"email": "hp@example.id", "password": "kopi-sanger-pagi"}))
        .send()
        .await
        .unwrap();
    let body = support::assert_error(api, StatusCode::FORBIDDEN, "setup_elsewhere").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("laptop yang menjalankan Rembuk"),
        "{body}"
    );
    let form = app
        .client
        .post(app.url("/fn/set_up"))
        .header("x-forwarded-for", phone)
        .header("origin", &app.base)
        .header("referer", app.url("/setup"))
        .form(&[("email", "hp@example.id"), ("password", "kopi-sanger-pagi")])
        .send()
        .await
        .unwrap();
    assert_ne!(
        form.headers().get("location").map(|l| l.to_str().unwrap()),
        Some("/admin")
    );

    // The laptop, through its own LAN address (its browser opens that one),
    // is still sent to setup, and sets up.
    let home = page(laptop, "/").await.unwrap();
    assert_eq!(home.headers()["location"], "/setup");
    let setup = app
        .client
        .post(app.url("/api/v1/setup"))
        .header("x-forwarded-for", laptop)
        .json(&json!({"email": "fasilitator@example.id", "password": "kopi-sanger-pagi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), StatusCode::CREATED);
}
