//! QR codes for join links.

use qrcode::{EcLevel, QrCode, render::svg};

/// An SVG QR code of `text`, black on white, scaled by its container
/// (no fixed size), with the quiet zone scanners need.
pub fn svg(text: &str) -> String {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .or_else(|_| QrCode::new(text.as_bytes()))
        .expect("a join link always fits in a QR code");
    code.render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_links_become_svg_qr_codes() {
        let s = svg("http://192.168.1.10:3000/j/482913");
        assert!(s.contains("<svg"), "{}", &s[..80.min(s.len())]);
        assert!(s.contains("#000000"));
    }
}
