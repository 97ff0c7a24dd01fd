//! `rembuk serve`, and its venue mode for a hall without internet.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use rembuk_domain::{Lang, i18n::fill};
use rembuk_service::{Rate, RateLimits};

use super::ServeArgs;
use crate::config::{Config, DEFAULT_BIND, DEFAULT_SITE_ROOT};

pub(super) async fn serve(args: ServeArgs, lang: Lang) -> Result<(), String> {
    let t = lang.t();
    let bind = match args.bind {
        Some(bind) => Some(bind),
        None => match std::env::var("REMBUK_BIND").or_else(|_| std::env::var("LEPTOS_SITE_ADDR")) {
            Ok(raw) => Some(
                raw.parse()
                    .map_err(|_| fill(t.cli_bad_bind(), &[("value", &format!("{raw:?}"))]))?,
            ),
            Err(_) => None,
        },
    };
    let database_url = args.db.url();
    let site_root = if args.site_root.as_os_str().is_empty() {
        PathBuf::from(DEFAULT_SITE_ROOT)
    } else {
        args.site_root
    };
    let mut config = Config {
        bind: bind.unwrap_or(DEFAULT_BIND),
        database_url,
        public_url: args.public_url.filter(|u| !u.trim().is_empty()),
        site_root,
        staff_session_ttl: Duration::from_secs(args.session_hours.clamp(1, 24 * 30) * 3600),
        rate_limits: rate_limits(
            args.participant_writes_per_minute,
            args.session_writes_per_second,
        ),
        trusted_proxies: crate::proxy::TrustedProxies(args.trusted_proxies),
        setup_from: Default::default(),
    };
    if !crate::site::EMBEDDED && !config.site_root.join("pkg").is_dir() {
        tracing::warn!(
            site_root = %config.site_root.display(),
            "no built site found: pages will render but will not hydrate; run `scripts/build-site` first"
        );
    }
    if !args.venue {
        return crate::serve(config).await.map_err(|e| e.message(lang));
    }

    // Venue mode.
    let found = local_ip_address::list_afinet_netifas().unwrap_or_default();
    // Phones on the network reach the app from the moment it starts: only
    // the laptop itself (any of its addresses) may create the first
    // administrator.
    config.setup_from =
        rembuk_service::SetupFrom::ThisComputer(found.iter().map(|(_, ip)| *ip).collect());
    let mut addresses = crate::venue::lan_addresses(&found);
    let chosen = match args.lan_address {
        Some(ip) => {
            if !addresses.iter().any(|a| a.ip == ip) {
                eprintln!(
                    "{}",
                    fill(t.venue_unknown_address(), &[("address", &ip.to_string())])
                );
            }
            addresses.retain(|a| a.ip != ip);
            Some(ip)
        }
        None if addresses.is_empty() => None,
        None => Some(addresses.remove(0).ip),
    };
    let (listener, moved_port) = bind_venue(bind, lang).await?;
    let port = match listener.local_addr() {
        Ok(address) => address.port(),
        Err(e) => return Err(crate::StartError::Listen(config.bind, e).message(lang)),
    };
    let base = match (&config.public_url, chosen) {
        (Some(url), _) => url.trim_end_matches('/').to_string(),
        (None, Some(ip)) => origin(&ip.to_string(), port),
        (None, None) => origin("127.0.0.1", port),
    };
    let reachable = config.public_url.is_some() || chosen.is_some();
    if chosen.is_some() && config.public_url.is_none() {
        config.public_url = Some(base.clone());
    }
    let data = rembuk_service::storage::sqlite_path(&config.database_url);
    let open = !args.no_browser;
    crate::serve_on(config, listener, move |_| {
        let banner = crate::venue::Banner {
            lang,
            base: &base,
            reachable,
            others: &addresses,
            port,
            data: data.as_deref(),
            firewall: crate::venue::Firewall::detect(),
            moved_port,
        };
        println!("{}", banner.render());
        if open && !crate::venue::open_browser(&format!("{base}/admin")) {
            println!("{}", lang.t().venue_open_yourself());
        }
    })
    .await
    .map_err(|e| e.message(lang))
}

/// `http://host:port`, without the port when it is HTTP's own.
fn origin(host: &str, port: u16) -> String {
    if port == 80 {
        format!("http://{host}")
    } else {
        format!("http://{host}:{port}")
    }
}

/// The venue's listener: the address asked for, else port 3000 of every
/// interface or, when another program holds it, the next free port up to
/// 3019. Returns the port moved from, if it moved.
async fn bind_venue(
    bind: Option<SocketAddr>,
    lang: Lang,
) -> Result<(tokio::net::TcpListener, Option<(u16, u16)>), String> {
    use tokio::net::TcpListener;
    let t = lang.t();
    if let Some(bind) = bind {
        let listener = TcpListener::bind(bind).await.map_err(|e| {
            fill(
                t.cli_cannot_listen(),
                &[("address", &bind.to_string()), ("error", &e.to_string())],
            )
        })?;
        return Ok((listener, None));
    }
    const WANTED: u16 = 3000;
    let mut last_error = None;
    for port in WANTED..WANTED + 20 {
        match TcpListener::bind(SocketAddr::from(([0, 0, 0, 0], port))).await {
            Ok(listener) => return Ok((listener, (port != WANTED).then_some((WANTED, port)))),
            Err(e) => last_error = Some(e),
        }
    }
    Err(fill(
        t.cli_cannot_listen_ports(),
        &[
            ("first", &WANTED.to_string()),
            ("last", &(WANTED + 19).to_string()),
            (
                "error",
                &last_error.map(|e| e.to_string()).unwrap_or_default(),
            ),
        ],
    ))
}

/// The write limits from the command line; zero means "the default".
fn rate_limits(participant_per_minute: u32, session_per_second: u32) -> RateLimits {
    let mut limits = RateLimits::default();
    if participant_per_minute > 0 {
        limits.participant.per_second = f64::from(participant_per_minute) / 60.0;
    }
    if session_per_second > 0 {
        limits.session = Rate {
            burst: session_per_second.saturating_mul(2),
            per_second: f64::from(session_per_second),
        };
    }
    limits
}
