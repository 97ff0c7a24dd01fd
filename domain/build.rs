//! Turns `locales/*.toml` into `Strings`: one method per key, one static per language.
//!
//! Bahasa Indonesia (`id.toml`) is the reference: every other language must
//! have exactly its keys and the same `{placeholders}` in each string, or the
//! build stops and names the offending keys. A missing translation is
//! therefore a compile error, never a blank on a participant's phone.

use std::{collections::BTreeMap, env, fmt::Write as _, fs, path::PathBuf};

const LANGS: &[(&str, &str)] = &[("id", "ID"), ("en", "EN")];

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../locales");
    println!("cargo:rerun-if-changed={}", root.display());
    let tables: Vec<(&str, &str, BTreeMap<String, String>)> = LANGS
        .iter()
        .map(|(code, konst)| {
            let path = root.join(format!("{code}.toml"));
            println!("cargo:rerun-if-changed={}", path.display());
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let value: toml::Table = text
                .parse()
                .unwrap_or_else(|e| panic!("{} is not valid TOML: {e}", path.display()));
            let mut flat = BTreeMap::new();
            flatten("", &toml::Value::Table(value), &mut flat, &path);
            (*code, *konst, flat)
        })
        .collect();

    let reference = &tables[0].2;
    let mut problems = Vec::new();
    for (code, _, table) in &tables[1..] {
        for key in reference.keys().filter(|k| !table.contains_key(*k)) {
            problems.push(format!("{code}.toml is missing `{key}`"));
        }
        for key in table.keys().filter(|k| !reference.contains_key(*k)) {
            problems.push(format!("{code}.toml has `{key}`, which id.toml lacks"));
        }
        for (key, text) in table {
            if let Some(id_text) = reference.get(key)
                && placeholders(text) != placeholders(id_text)
            {
                problems.push(format!(
                    "{code}.toml `{key}` uses placeholders {:?}, id.toml uses {:?}",
                    placeholders(text),
                    placeholders(id_text)
                ));
            }
        }
    }
    for (code, _, table) in &tables {
        for (key, text) in table {
            if text.trim().is_empty() {
                problems.push(format!("{code}.toml `{key}` is empty"));
            }
        }
    }
    if !problems.is_empty() {
        panic!("translation files disagree:\n  {}", problems.join("\n  "));
    }

    // One method per key, not one field: a build links only the strings its
    // code calls, so the phone's WASM carries the participant's few dozen
    // strings instead of every string of the whole app in both languages.
    let mut out = String::new();
    out.push_str("/// Every user-visible string of one language: one method per key of\n");
    out.push_str("/// `locales/id.toml`.\n");
    out.push_str("#[derive(Debug)]\npub struct Strings(Lang);\n\n");
    for (code, konst, _) in &tables {
        writeln!(out, "/// Strings from `locales/{code}.toml`.").unwrap();
        writeln!(
            out,
            "pub static {konst}: Strings = Strings(Lang::{});",
            variant(code)
        )
        .unwrap();
    }
    out.push_str("\n#[allow(missing_docs)]\nimpl Strings {\n");
    for key in reference.keys() {
        writeln!(out, "    pub fn {}(&self) -> &'static str {{", field(key)).unwrap();
        out.push_str("        match self.0 {\n");
        for (code, _, table) in &tables {
            writeln!(
                out,
                "            Lang::{} => {:?},",
                variant(code),
                table[key]
            )
            .unwrap();
        }
        out.push_str("        }\n    }\n");
    }
    out.push_str("}\n\n");
    out.push_str("/// Every key with its field name, for completeness tests and tooling.\n");
    out.push_str("pub const KEYS: &[&str] = &[\n");
    for key in reference.keys() {
        writeln!(out, "    {key:?},").unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("strings.rs");
    fs::write(dest, out).unwrap();
}

fn flatten(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>, path: &PathBuf) {
    match value {
        toml::Value::Table(table) => {
            for (k, v) in table {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out, path);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => panic!(
            "{}: `{prefix}` must be a string, found {other}",
            path.display()
        ),
    }
}

fn variant(code: &str) -> String {
    let mut chars = code.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn field(key: &str) -> String {
    key.replace(['.', '-'], "_")
}

fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect();
    found.sort();
    found.dedup();
    found
}
