//! serde over our YAML node tree: the data structs in [`super`] declare each field once (name,
//! type, default) with `#[derive(Deserialize)]` and `deny_unknown_fields`, and this reads them
//! from the tree our own parser builds (no second YAML parser in the binary). Errors carry the
//! span of the node they are about.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use crate::source::Span;
use crate::yaml::{Kind, Node, Style};

/// A data error: what is wrong and where (`None`: the error has no node, e.g. a custom check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// The message.
    pub message: String,
    /// The node it is about.
    pub span: Option<Span>,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DataError {}

impl de::Error for DataError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DataError {
            message: msg.to_string(),
            span: None,
        }
    }
}

/// Gives an error without a span the span of `node`.
fn at(node: &Node<'_>, mut e: DataError) -> DataError {
    if e.span.is_none() {
        e.span = Some(node.span.clone());
    }
    e
}

/// Reads a `T` from a node.
pub fn from_node<'de, T: serde::Deserialize<'de>>(node: &Node<'_>) -> Result<T, DataError> {
    T::deserialize(NodeDe { node })
}

/// A deserializer for one node.
#[derive(Clone, Copy)]
pub struct NodeDe<'n, 'a> {
    node: &'n Node<'a>,
}

impl<'n, 'a> NodeDe<'n, 'a> {
    fn scalar(&self) -> Result<&'n str, DataError> {
        match &self.node.kind {
            Kind::Scalar(v, _) if !self.node.is_null() => Ok(v),
            _ => Err(self.wrong("a string")),
        }
    }

    fn wrong(&self, want: &str) -> DataError {
        DataError {
            message: format!("expected {want}, found {}", self.node.type_name()),
            span: Some(self.node.span.clone()),
        }
    }
}

impl<'de> de::Deserializer<'de> for NodeDe<'_, '_> {
    type Error = DataError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        match &self.node.kind {
            Kind::Scalar(..) if self.node.is_null() => v.visit_unit(),
            Kind::Scalar(s, _) => v.visit_str(s).map_err(|e| at(self.node, e)),
            Kind::Seq(_) => self.deserialize_seq(v),
            Kind::Map(_) => self.deserialize_map(v),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        match &self.node.kind {
            Kind::Scalar(s, Style::Plain) if s == "true" => v.visit_bool(true),
            Kind::Scalar(s, Style::Plain) if s == "false" => v.visit_bool(false),
            _ => Err(self.wrong("true or false")),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        let s = self.scalar()?;
        v.visit_str(s).map_err(|e| at(self.node, e))
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        self.deserialize_str(v)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        if self.node.is_null() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        match self.node.as_seq() {
            Some(items) => v
                .visit_seq(Seq {
                    items: items.iter(),
                })
                .map_err(|e| at(self.node, e)),
            None => Err(self.wrong("a list")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        match self.node.as_map() {
            Some(entries) => v
                .visit_map(Map {
                    entries: entries.iter(),
                    value: None,
                })
                .map_err(|e| at(self.node, e)),
            None => Err(self.wrong("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DataError> {
        FIELDS.with(|f| {
            if let Some(seen) = f.borrow_mut().as_mut() {
                seen.extend(fields.iter().copied());
            }
        });
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DataError> {
        let s = self.scalar()?;
        v.visit_enum(s.into_deserializer())
            .map_err(|e: DataError| at(self.node, e))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        if self.node.is_null() {
            v.visit_unit()
        } else {
            Err(self.wrong("null"))
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DataError> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit_struct newtype_struct tuple tuple_struct
    }
}

struct Seq<'n, 'a> {
    items: std::slice::Iter<'n, Node<'a>>,
}

impl<'de> SeqAccess<'de> for Seq<'_, '_> {
    type Error = DataError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DataError> {
        match self.items.next() {
            Some(node) => seed
                .deserialize(NodeDe { node })
                .map(Some)
                .map_err(|e| at(node, e)),
            None => Ok(None),
        }
    }
}

struct Map<'n, 'a> {
    entries: std::slice::Iter<'n, (Node<'a>, Node<'a>)>,
    value: Option<&'n Node<'a>>,
}

impl<'de> MapAccess<'de> for Map<'_, '_> {
    type Error = DataError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DataError> {
        match self.entries.next() {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(NodeDe { node: k })
                    .map(Some)
                    .map_err(|e| at(k, e))
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DataError> {
        match self.value.take() {
            Some(node) => seed.deserialize(NodeDe { node }).map_err(|e| at(node, e)),
            None => Err(de::Error::custom("a value without a key")),
        }
    }
}

thread_local! {
    /// When set, every struct field name the loader declares is recorded (see
    /// [`declared_fields`]).
    static FIELDS: std::cell::RefCell<Option<std::collections::BTreeSet<&'static str>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` and returns every struct field name that deserialisation asked for: the keys the
/// data format declares (used by the test that keeps the data files' comments true).
pub fn declared_fields(f: impl FnOnce()) -> std::collections::BTreeSet<&'static str> {
    FIELDS.with(|s| *s.borrow_mut() = Some(Default::default()));
    f();
    FIELDS.with(|s| s.borrow_mut().take().unwrap_or_default())
}

/// A whole number written as a YAML scalar (or as the JSON string the build step makes of it).
pub fn whole_number<'de, D: de::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    struct Whole;
    impl Visitor<'_> for Whole {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number")
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<usize, E> {
            usize::try_from(n).map_err(E::custom)
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<usize, E> {
            usize::try_from(n)
                .map_err(|_| E::custom(format!("expected a whole number, found `{n}`")))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<usize, E> {
            s.parse()
                .map_err(|_| E::custom(format!("expected a whole number, found `{s}`")))
        }
    }
    d.deserialize_any(Whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct T {
        name: String,
        #[serde(default)]
        list: Vec<String>,
        flag: bool,
        opt: Option<String>,
        kind: K,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum K {
        Module,
        Package,
    }

    fn load(text: &str) -> Result<T, DataError> {
        let doc = crate::yaml::parse(text);
        from_node(doc.root.as_ref().expect("a root"))
    }

    #[test]
    fn reads_structs_lists_options_enums() {
        let t = load("name: nox\nflag: true\nkind: package\nlist: [a, 'b']\n").unwrap();
        assert_eq!(
            t,
            T {
                name: "nox".into(),
                list: vec!["a".into(), "b".into()],
                flag: true,
                opt: None,
                kind: K::Package
            }
        );
    }

    #[test]
    fn errors_point_at_the_node() {
        let text = "name: nox\nflag: yes\nkind: module\n";
        let e = load(text).unwrap_err();
        assert!(e.message.contains("true or false"), "{e}");
        assert_eq!(e.span.map(|s| &text[s]), Some("yes"));
        let text = "name: nox\nflag: true\nkind: module\nlsit: []\n";
        let e = load(text).unwrap_err();
        assert!(e.message.contains("unknown field `lsit`"), "{e}");
        assert_eq!(e.span.map(|s| &text[s]), Some("lsit"));
        let text = "name: nox\nflag: true\nkind: rocket\n";
        let e = load(text).unwrap_err();
        assert!(e.message.contains("rocket"), "{e}");
        assert_eq!(e.span.map(|s| &text[s]), Some("rocket"));
        let e = load("flag: true\nkind: module\n").unwrap_err();
        assert!(e.message.contains("missing field `name`"), "{e}");
    }
}
