//! Venue mode: the whole workshop runs from one laptop on the hall's local
//! network (the laptop's hotspot or the hall's router), with no internet.
//!
//! `rembuk serve --venue` listens on every interface, picks the laptop's
//! LAN address for join links and QR codes, prints the join address with a
//! QR code in the terminal, says when a firewall is likely to block phones,
//! and opens the facilitator's page in the browser.

use std::{
    net::{IpAddr, Ipv4Addr},
    path::Path,
    process::{Command, Stdio},
};

use rembuk_domain::{Lang, i18n::fill};

/// One address phones could use to reach this laptop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LanAddress {
    /// The network interface's name (`wlan0`, `Wi-Fi`, …).
    pub interface: String,
    /// Its IPv4 address. Phones on hotspots get IPv4; an IPv6 link is
    /// awkward to type and often not routed by cheap hotspots.
    pub ip: Ipv4Addr,
}

/// The addresses phones could reach, best first: private LAN ranges
/// (192.168/16, then 10/8, then 172.16/12) before carrier-grade NAT and
/// public ones, and real adapters before virtual ones (containers, virtual
/// machines, VPNs), which phones cannot reach. Loopback, link-local
/// (169.254/16, what an adapter gives itself when nobody answers),
/// multicast, broadcast and unspecified addresses are left out, as is IPv6.
pub fn lan_addresses(found: &[(String, IpAddr)]) -> Vec<LanAddress> {
    let mut ranked: Vec<((bool, u8), LanAddress)> = found
        .iter()
        .filter_map(|(interface, ip)| {
            let IpAddr::V4(ip) = *ip else { return None };
            if ip.is_loopback()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || ip.is_multicast()
            {
                return None;
            }
            let [a, b, ..] = ip.octets();
            let class = match (a, b) {
                (192, 168) => 0,
                (10, _) => 1,
                (172, 16..=31) => 2,
                (100, 64..=127) => 3,
                _ => 4,
            };
            let address = LanAddress {
                interface: interface.clone(),
                ip,
            };
            Some(((is_virtual(interface), class), address))
        })
        .collect();
    ranked.sort_by(|(a, x), (b, y)| {
        a.cmp(b)
            .then_with(|| x.ip.cmp(&y.ip))
            .then_with(|| x.interface.cmp(&y.interface))
    });
    ranked.dedup_by(|(_, a), (_, b)| a.ip == b.ip);
    ranked.into_iter().map(|(_, a)| a).collect()
}

/// Whether an interface belongs to a container, a virtual machine or a
/// VPN rather than to the laptop's Wi-Fi or cable.
fn is_virtual(interface: &str) -> bool {
    let name = interface.to_ascii_lowercase();
    const PREFIXES: &[&str] = &[
        "docker",
        "veth",
        "br-",
        "virbr",
        "vboxnet",
        "vmnet",
        "lxc",
        "lxd",
        "cni",
        "flannel",
        "podman",
        "tun",
        "tap",
        "utun",
        "wg",
        "zt",
        "tailscale",
    ];
    const ANYWHERE: &[&str] = &[
        "vethernet",
        "virtualbox",
        "vmware",
        "hyper-v",
        "zerotier",
        "tailscale",
        "wireguard",
        "openvpn",
        "loopback",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || ANYWHERE.iter().any(|w| name.contains(w))
}

/// The language of the laptop's terminal: English when the system's
/// locale says so, else Bahasa Indonesia.
pub fn terminal_lang(env: impl Fn(&str) -> Option<String>) -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"]
        .iter()
        .filter_map(|name| env(name))
        .find(|v| !v.trim().is_empty())
        .unwrap_or_default();
    if locale.to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

/// A firewall likely to stand between the phones and the laptop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Firewall {
    /// Windows Defender Firewall, on by default.
    Windows,
    /// macOS's application firewall.
    MacOs,
    /// Ubuntu's ufw, when enabled.
    Ufw,
    /// Fedora's and others' firewalld, when running.
    Firewalld,
}

impl Firewall {
    /// The firewall of this machine that is likely to block phones.
    pub fn detect() -> Option<Firewall> {
        match std::env::consts::OS {
            "windows" => Some(Firewall::Windows),
            "macos" => Some(Firewall::MacOs),
            _ => {
                let ufw_on = std::fs::read_to_string("/etc/ufw/ufw.conf").is_ok_and(|conf| {
                    conf.lines()
                        .any(|l| l.trim().eq_ignore_ascii_case("ENABLED=yes"))
                });
                if ufw_on {
                    return Some(Firewall::Ufw);
                }
                let firewalld_on = Command::new("firewall-cmd")
                    .arg("--state")
                    .stdin(Stdio::null())
                    .stderr(Stdio::null())
                    .output()
                    .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "running");
                firewalld_on.then_some(Firewall::Firewalld)
            }
        }
    }

    /// What to do about it, in plain words.
    pub fn advice(self, lang: Lang, port: u16) -> String {
        let t = lang.t();
        let port = port.to_string();
        match self {
            Firewall::Windows => t.venue_firewall_windows().to_string(),
            Firewall::MacOs => t.venue_firewall_macos().to_string(),
            Firewall::Ufw => fill(t.venue_firewall_ufw(), &[("port", &port)]),
            Firewall::Firewalld => fill(t.venue_firewall_firewalld(), &[("port", &port)]),
        }
    }
}

/// What the terminal shows once the server listens.
pub struct Banner<'a> {
    /// The terminal's language.
    pub lang: Lang,
    /// The address phones use (`http://192.168.137.1:3000`), or the
    /// laptop-only one when no LAN exists.
    pub base: &'a str,
    /// Whether `base` is reachable from phones (a LAN address was found).
    pub reachable: bool,
    /// The other LAN addresses to offer.
    pub others: &'a [LanAddress],
    /// The port, for firewall advice and the hint to choose another address.
    pub port: u16,
    /// Where the SQLite file is, when it is one.
    pub data: Option<&'a Path>,
    /// The firewall likely in the way.
    pub firewall: Option<Firewall>,
    /// A port other than the one asked for was taken: (wanted, used).
    pub moved_port: Option<(u16, u16)>,
}

impl Banner<'_> {
    /// The text, ready to print.
    pub fn render(&self) -> String {
        let t = self.lang.t();
        // The home page: its first thing is the box for the session's code.
        let join = format!("{}/", self.base);
        let staff = format!("{}/admin", self.base);
        let mut out = String::new();
        let mut line = |s: &str| {
            out.push_str(s);
            out.push('\n');
        };
        line("");
        line(t.venue_title());
        if let Some((wanted, port)) = self.moved_port {
            line(&fill(
                t.venue_port_taken(),
                &[("wanted", &wanted.to_string()), ("port", &port.to_string())],
            ));
        }
        if !self.reachable {
            line(&fill(t.venue_no_lan(), &[("url", &staff)]));
        } else {
            line("");
            line(&fill(t.venue_join(), &[("url", &join)]));
            line(t.venue_scan());
            line(&terminal_qr(&join));
            line(&fill(t.venue_staff(), &[("url", &staff)]));
            line("");
            line(t.venue_same_network());
            line(t.venue_isolation());
            if !self.others.is_empty() {
                let list = self
                    .others
                    .iter()
                    .map(|a| format!("{} ({})", a.ip, a.interface))
                    .collect::<Vec<_>>()
                    .join(", ");
                let command = format!("rembuk serve --venue --lan-address {}", self.others[0].ip);
                line(&fill(
                    t.venue_other_addresses(),
                    &[("list", &list), ("command", &command)],
                ));
            }
            if let Some(firewall) = self.firewall {
                line(&firewall.advice(self.lang, self.port));
            }
        }
        if let Some(path) = self.data {
            line(&fill(
                t.venue_data(),
                &[("path", &path.display().to_string())],
            ));
        }
        out
    }
}

/// A QR code drawn with block characters, light on a dark terminal (the
/// default on Windows and most Linux desktops), with its quiet zone.
pub fn terminal_qr(text: &str) -> String {
    use qrcode::render::unicode::Dense1x2;
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

/// Opens `url` in the laptop's browser; false when there is no way to.
pub fn open_browser(url: &str) -> bool {
    let mut command = match std::env::consts::OS {
        "windows" => {
            let mut c = Command::new("cmd");
            c.args(["/C", "start", "", url]);
            c
        }
        "macos" => {
            let mut c = Command::new("open");
            c.arg(url);
            c
        }
        _ => {
            let has_display = ["DISPLAY", "WAYLAND_DISPLAY"]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
            if !has_display {
                return false;
            }
            let mut c = Command::new("xdg-open");
            c.arg(url);
            c
        }
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(list: &[(&str, &str)]) -> Vec<(String, IpAddr)> {
        list.iter()
            .map(|(i, a)| (i.to_string(), a.parse().unwrap()))
            .collect()
    }

    fn ips(list: &[LanAddress]) -> Vec<String> {
        list.iter().map(|a| a.ip.to_string()).collect()
    }

    #[test]
    fn the_private_lan_comes_first_and_loopback_and_link_local_are_skipped() {
        let chosen = lan_addresses(&found(&[
            ("lo", "127.0.0.1"),
            ("docker0", "172.17.0.1"),
            ("eth0", "10.20.0.15"),
            ("Wi-Fi", "192.168.137.1"),
            ("Ethernet 2", "169.254.12.9"),
            ("wlan0", "fe80::1"),
            ("wlan0", "2001:db8::5"),
            ("any", "0.0.0.0"),
        ]));
        assert_eq!(ips(&chosen), ["192.168.137.1", "10.20.0.15", "172.17.0.1"]);
        assert_eq!(chosen[0].interface, "Wi-Fi");
    }

    #[test]
    fn virtual_adapters_come_after_real_ones_even_in_a_better_range() {
        let chosen = lan_addresses(&found(&[
            ("vEthernet (WSL)", "192.168.48.1"),
            ("VirtualBox Host-Only Network", "192.168.56.1"),
            ("tailscale0", "100.101.1.2"),
            ("Wi-Fi", "10.0.0.7"),
            ("enp3s0", "172.20.1.4"),
        ]));
        assert_eq!(
            ips(&chosen),
            [
                "10.0.0.7",
                "172.20.1.4",
                "192.168.48.1",
                "192.168.56.1",
                "100.101.1.2"
            ]
        );
    }

    #[test]
    fn carrier_nat_and_public_addresses_are_kept_last_and_duplicates_once() {
        let chosen = lan_addresses(&found(&[
            ("ppp0", "36.80.1.2"),
            ("wwan0", "100.70.3.4"),
            ("wlan0", "192.168.43.20"),
            ("wlan0", "192.168.43.20"),
        ]));
        assert_eq!(ips(&chosen), ["192.168.43.20", "100.70.3.4", "36.80.1.2"]);
        assert!(lan_addresses(&found(&[("lo", "127.0.0.1")])).is_empty());
    }

    #[test]
    fn the_terminal_speaks_indonesian_unless_the_system_says_english() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(terminal_lang(env(&[])), Lang::Id);
        assert_eq!(terminal_lang(env(&[("LANG", "id_ID.UTF-8")])), Lang::Id);
        assert_eq!(terminal_lang(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(
            terminal_lang(env(&[("LC_ALL", "id_ID.UTF-8"), ("LANG", "en_GB")])),
            Lang::Id
        );
    }

    #[test]
    fn the_banner_gives_the_join_link_a_scannable_code_and_firewall_advice() {
        let others = [LanAddress {
            interface: "eth0".into(),
            ip: Ipv4Addr::new(10, 0, 0, 2),
        }];
        let text = Banner {
            lang: Lang::Id,
            base: "http://192.168.137.1:3000",
            reachable: true,
            others: &others,
            port: 3000,
            data: Some(Path::new("/home/d/.local/share/rembuk/rembuk.db")),
            firewall: Some(Firewall::Ufw),
            moved_port: Some((3000, 3001)),
        }
        .render();
        assert!(text.contains("http://192.168.137.1:3000/\n"), "{text}");
        assert!(text.contains("http://192.168.137.1:3000/admin"));
        assert!(text.contains("sudo ufw allow 3000/tcp"));
        assert!(text.contains("--lan-address 10.0.0.2"));
        assert!(text.contains("Port 3000"));
        assert!(text.contains("rembuk.db"));
        assert!(text.contains('█'), "a QR code is drawn");
        let english = Banner {
            lang: Lang::En,
            base: "http://127.0.0.1:3000",
            reachable: false,
            others: &[],
            port: 3000,
            data: None,
            firewall: Some(Firewall::Windows),
            moved_port: None,
        }
        .render();
        assert!(
            english.contains("not connected to any local network"),
            "{english}"
        );
        assert!(!english.contains('█'), "no QR code phones cannot use");
    }
}
