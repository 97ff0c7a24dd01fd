//! The `rembuk` binary as an administrator uses it.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_rembuk");

fn add_user(db: &str, email: &str, role: &str, password: &str) -> std::process::Output {
    let mut child = Command::new(BIN)
        .args([
            "user",
            "add",
            "--email",
            email,
            "--role",
            role,
            "--database-url",
            db,
        ])
        .env_remove("DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{password}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn user_add_reads_the_password_from_stdin_and_the_account_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("nested/rembuk.db").display());
    let out = add_user(
        &db,
        "fasilitator@acehselatankab.go.id",
        "facilitator",
        "kopi-sanger-pagi",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("added fasilitator@acehselatankab.go.id (facilitator)")
    );

    let services = rembuk_service::Services::start(&db, Default::default())
        .await
        .unwrap();
    let login = services
        .log_in("fasilitator@acehselatankab.go.id", "kopi-sanger-pagi")
        .await
        .unwrap();
    assert_eq!(login.user.role, rembuk_domain::user::Role::Facilitator);
}

#[test]
fn user_add_explains_bad_input_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("rembuk.db").display());
    let out = add_user(&db, "x@example.id", "boss", "kopi-sanger-pagi");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Role is not known"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = add_user(&db, "x@example.id", "admin", "short");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10 characters"));
    let out = add_user("mysql://nope", "x@example.id", "admin", "kopi-sanger-pagi");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite://PATH"));
}

#[test]
fn serve_creates_its_database_and_answers_on_the_given_address() {
    let dir = tempfile::tempdir().unwrap();
    let db_file = dir.path().join("data/rembuk.db");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &format!("sqlite://{}", db_file.display()),
        ])
        .env("REMBUK_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut address = None;
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some(rest) = line.split("running at ").nth(1) {
            address = Some(rest.split_whitespace().next().unwrap().to_string());
            break;
        }
        assert!(Instant::now() < deadline, "server did not start");
    }
    let address = address.expect("the server prints its address");
    let response = http_get(address.trim_start_matches("http://"), "/healthz");
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok"), "{response}");
    assert!(
        db_file.exists(),
        "the SQLite file and its folder are created"
    );
}

fn http_get(host: &str, path: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}
