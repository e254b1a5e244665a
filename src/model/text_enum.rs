//! `text_enum!`: declares an enum of the fixed words AWS uses for a status (`RUNNING`,
//! `IN_PROGRESS`, `healthy`…) plus `Other(String)` for words it may add later, parsed
//! case-insensitively and (de)serialised as the word itself. It must hold no domain logic.

/// Declares `pub enum $name { $variant…, Other(String) }` with `parse`, `as_str`, `Display`,
/// `Default` (the given variant), `Serialize` and `Deserialize`. `Other` text is sanitised.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $name:ident, default $default:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A word wpops does not know (sanitised).
            Other(String),
        }

        impl $name {
            /// Case-insensitive; an unknown word becomes `Other` (sanitised).
            pub fn parse(word: &str) -> Self {
                $( if word.eq_ignore_ascii_case($text) { return $name::$variant; } )+
                $name::Other($crate::model::sanitize::sanitize_line(word))
            }

            /// The word as AWS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::Other(word) => word,
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let word = <String as serde::Deserialize>::deserialize(d)?;
                Ok($name::parse(&word))
            }
        }
    };
}

pub(crate) use text_enum;
