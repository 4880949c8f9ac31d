//! The store's languages. Every word the window and the receipt show is a message in
//! `messages/<lang>.ftl` (Project Fluent), and the same files serve the core (built
//! in here) and the page (`ui/src/i18n.ts` bundles them): one place for a translator,
//! and no sentence that exists in one language only. Tests in this module fail when
//! a message is missing in any language, or takes other variables than English's.
//!
//! Three things are never translated: the service's own `error.message` (RSG asks
//! that it reach the cashier unchanged), the data (codes, ids, names, amounts), and
//! receipts in a script the printer cannot print (see [`Lang::receipts`]).

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

/// A language of the terminal, by its code (`en`, `zh`, `ms`, `ta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    /// Simplified Chinese, as Singapore writes it.
    Zh,
    Ms,
    Ta,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Zh, Lang::Ms, Lang::Ta];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
            Lang::Ms => "ms",
            Lang::Ta => "ta",
        }
    }

    /// `en`, `zh`, `ms` or `ta` (also `en-SG`, `zh-Hans-SG` and the like).
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The Fluent source, as shipped.
    pub fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../messages/en.ftl"),
            Lang::Zh => include_str!("../messages/zh.ftl"),
            Lang::Ms => include_str!("../messages/ms.ftl"),
            Lang::Ta => include_str!("../messages/ta.ftl"),
        }
    }

    /// The language a receipt prints in. A thermal printer's built-in code page
    /// prints Latin letters only: Chinese needs a GB18030 printer set up for it, and
    /// Tamil needs the text sent as a picture. Until the terminal does either, a
    /// terminal in Chinese or Tamil prints its receipts in English rather than as
    /// rows of `?`.
    pub fn receipts(self) -> Lang {
        match self {
            Lang::En | Lang::Zh | Lang::Ta => Lang::En,
            Lang::Ms => Lang::Ms,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// One language's messages, built once per process.
pub struct Messages {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl Messages {
    pub fn of(lang: Lang) -> &'static Messages {
        static BUILT: [OnceLock<Messages>; 4] = [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let at = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
        BUILT[at].get_or_init(|| Messages::build(lang))
    }

    fn build(lang: Lang) -> Messages {
        // A file that does not parse is a build that never ships: the tests below
        // parse every file, so here the parts that did parse are used.
        let resource = FluentResource::try_new(lang.source().to_string()).unwrap_or_else(|(partial, _)| partial);
        let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("a language code is a language id");
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks: a receipt printer would print them as `?`, and
        // none of these languages is written right to left.
        bundle.set_use_isolating(false);
        let _ = bundle.add_resource(resource);
        Messages { lang, bundle }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `id` with no variables.
    pub fn text(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// The message `id` with these variables. A message missing here (which the
    /// tests refuse) falls back to English, then to its id, never to nothing.
    pub fn format(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            fluent.set(*name, value.to_fluent());
        }
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            if self.lang != Lang::En {
                return Messages::of(Lang::En).format(id, args);
            }
            return id.to_string();
        };
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, Some(&fluent), &mut errors);
        text.into_owned()
    }
}

/// A variable of a message: text (data, shown as it is) or a count (which chooses
/// the plural form).
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Count(i64),
}

impl Arg {
    fn to_fluent(&self) -> FluentValue<'static> {
        match self {
            Arg::Text(s) => FluentValue::String(Cow::Owned(s.clone())),
            Arg::Count(n) => FluentValue::from(*n),
        }
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Count(n)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

    use super::*;

    /// Each message's attributes and the variables its value and attributes use.
    fn shape(lang: Lang) -> BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> {
        let ast = fluent_syntax::parser::parse(lang.source())
            .unwrap_or_else(|(_, errors)| panic!("messages/{lang}.ftl does not parse: {errors:?}"));
        fn vars(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
            for e in &p.elements {
                if let PatternElement::Placeable { expression } = e {
                    expr(expression, out);
                }
            }
        }
        fn expr(e: &Expression<&str>, out: &mut BTreeSet<String>) {
            match e {
                Expression::Inline(i) => inline(i, out),
                Expression::Select { selector, variants } => {
                    inline(selector, out);
                    for v in variants {
                        vars(&v.value, out);
                    }
                }
            }
        }
        fn inline(i: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
            match i {
                InlineExpression::VariableReference { id } => {
                    out.insert(id.name.to_string());
                }
                InlineExpression::Placeable { expression } => expr(expression, out),
                _ => {}
            }
        }
        let mut shapes = BTreeMap::new();
        for entry in ast.body {
            let Entry::Message(m) = entry else { continue };
            let mut used = BTreeSet::new();
            if let Some(v) = &m.value {
                vars(v, &mut used);
            }
            let mut attributes = BTreeSet::new();
            for a in &m.attributes {
                vars(&a.value, &mut used);
                attributes.insert(a.id.name.to_string());
            }
            let duplicate = shapes.insert(m.id.name.to_string(), (attributes, used));
            assert!(duplicate.is_none(), "messages/{lang}.ftl defines {} twice", m.id.name);
        }
        shapes
    }

    /// Issue 22: a message missing in one language would show English (or an id) in
    /// the middle of a Chinese screen; a variable missing would drop the amount or
    /// the code from the sentence.
    #[test]
    fn every_language_has_every_message_with_the_same_attributes_and_variables() {
        let english = shape(Lang::En);
        assert!(english.len() > 200, "the English file holds the page's messages ({})", english.len());
        for lang in [Lang::Zh, Lang::Ms, Lang::Ta] {
            let other = shape(lang);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(missing.is_empty(), "messages/{lang}.ftl lacks {missing:?}");
            assert!(extra.is_empty(), "messages/{lang}.ftl has messages English does not: {extra:?}");
            for (id, (attributes, used)) in &english {
                let (their_attributes, their_used) = &other[id];
                assert_eq!(attributes, their_attributes, "{id}'s attributes in messages/{lang}.ftl");
                assert_eq!(used, their_used, "{id}'s variables in messages/{lang}.ftl");
            }
        }
    }

    /// A message nobody shows is a sentence translators keep up for nothing, and
    /// usually a sign that a screen wrote its own words instead.
    #[test]
    fn every_message_is_shown_somewhere() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        fn read(dir: &std::path::Path, out: &mut String) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy();
                if p.is_dir() && name != "node_modules" && name != "dist" {
                    read(&p, out);
                } else if [".rs", ".ts", ".html"].iter().any(|x| name.ends_with(x)) && !name.ends_with(".test.ts") {
                    out.push_str(&std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        // The page's files name every kind of message; the core's name only ids with a
        // hyphen (`receipt-copy`, `cause-key-reused`), so a one-word id ("name", "to")
        // is not counted as shown because some Rust string happens to be that word.
        let (mut page, mut core) = (String::new(), String::new());
        read(&root.join("ui/src"), &mut page);
        page.push_str(&std::fs::read_to_string(root.join("ui/index.html")).unwrap());
        read(&root.join("src"), &mut core);
        let own = std::fs::read_to_string(root.join("src/messages.rs")).unwrap();
        let core = core.replace(&own, "");
        let shown = |id: &str| {
            let quoted = format!("\"{id}\"");
            page.contains(&quoted) || (id.contains('-') && core.contains(&quoted))
        };
        let unused: Vec<_> = shape(Lang::En).into_keys().filter(|id| !shown(id)).collect();
        assert!(unused.is_empty(), "messages shown nowhere: {unused:?}");
    }

    #[test]
    fn a_message_formats_with_its_variables_and_plural_in_each_language() {
        for lang in Lang::ALL {
            let m = Messages::of(lang);
            let one =
                m.format("code-summary", &[("prefix", "rsg".into()), ("count", 1.into()), ("first", "v_ab".into())]);
            let three =
                m.format("code-summary", &[("prefix", "rsg".into()), ("count", 3.into()), ("first", "v_ab".into())]);
            assert!(one.contains("rsg") && one.contains("v_ab"), "{lang}: {one}");
            assert!(three.contains('3'), "{lang}: {three}");
            assert!(!one.contains('\u{2068}'), "no isolation marks: {one:?}");
        }
        assert_eq!(
            Messages::of(Lang::En)
                .format("code-summary", &[("prefix", "rsg".into()), ("count", 1.into()), ("first", "v_ab".into())]),
            "rsg: 1 voucher (v_ab)"
        );
        assert_eq!(
            Messages::of(Lang::En)
                .format("code-summary", &[("prefix", "rsg".into()), ("count", 3.into()), ("first", "v_ab".into())]),
            "rsg: 3 vouchers (v_ab)"
        );
    }

    #[test]
    fn a_language_is_named_by_its_code_and_receipts_print_in_a_latin_script() {
        assert_eq!(Lang::parse("zh-Hans-SG"), Some(Lang::Zh));
        assert_eq!(Lang::parse("TA"), Some(Lang::Ta));
        assert_eq!(Lang::parse("fr"), None);
        for lang in Lang::ALL {
            let receipt = Messages::of(lang.receipts()).text("receipt-vouchers-used");
            assert!(receipt.is_ascii(), "{lang}'s receipts print {receipt:?}");
        }
    }
}
