//! Unit tests of the config file: parsing with positions, precedence, unknown sites and keys.

use super::*;

fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
}

const FILE: &str = r#"
default_site = "blog"
[sites.blog]
profile = "blog-prod"
region = "ap-northeast-1"
cluster = "wp-prod"
service = "wordpress"
[sites.blog.warming]
limit_secs = 90
[sites.shop]
cluster = "ec"
service = "shop"
read_only = true
confirm = "type-name"
"#;

fn file() -> ConfigFile {
    parse(FILE, Path::new("c.toml")).unwrap()
}

#[test]
fn the_example_parses_and_resolves() {
    let f = parse(EXAMPLE, Path::new("x")).unwrap();
    let s = resolve_with(&Global::default(), Some(&f), &env_of(&[])).unwrap();
    assert_eq!((s.name.as_str(), s.cluster.as_str(), s.service.as_str()), ("corp-blog", "wp-prod", "wordpress"));
    assert_eq!(s.warming, Warming::default());
}

#[test]
fn precedence_is_flag_then_site_then_env() {
    let env = env_of(&[("AWS_PROFILE", "envp"), ("AWS_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", "http://e")]);
    let s = resolve_with(&Global::default(), Some(&file()), &env).unwrap();
    assert_eq!(s.profile.as_deref(), Some("blog-prod"));
    assert_eq!(s.region.as_deref(), Some("ap-northeast-1"));
    assert_eq!(s.endpoint_url.as_deref(), Some("http://e"));
    assert_eq!(s.warming.limit_secs, 90);
    let flags = Global { profile: Some("flagp".into()), region: Some("eu-west-1".into()), ..Global::default() };
    let s = resolve_with(&flags, Some(&file()), &env).unwrap();
    assert_eq!((s.profile.as_deref(), s.region.as_deref()), (Some("flagp"), Some("eu-west-1")));
    let shop = Global { site: Some("shop".into()), ..Global::default() };
    let s = resolve_with(&shop, Some(&file()), &env).unwrap();
    assert_eq!((s.profile.as_deref(), s.region.as_deref()), (Some("envp"), Some("us-east-1")));
    assert!(s.read_only);
    assert_eq!(s.confirm, Confirm::TypeName);
}

#[test]
fn unknown_site_lists_the_known_ones() {
    let g = Global { site: Some("blgo".into()), ..Global::default() };
    let e = resolve_with(&g, Some(&file()), &env_of(&[])).unwrap_err();
    assert_eq!(e.to_string(), "unknown site \"blgo\"; known sites: blog, shop");
}

#[test]
fn syntax_errors_and_unknown_keys_have_line_and_column() {
    let e = parse("[sites.a]\ncluster = \"x\"\nservise = \"y\"\n", Path::new("c.toml")).unwrap_err();
    let text = e.to_string();
    assert!(text.starts_with("c.toml:3:1: unknown field `servise`"), "{text}");
    let e = parse("[sites.a]\nregion = ap-northeast-1\n", Path::new("c.toml")).unwrap_err();
    assert!(e.to_string().starts_with("c.toml:2:10: "), "{e}");
    assert_eq!(line_col("ab\ncdé\nf", 7), (2, 4));
}

#[test]
fn region_typo_is_a_config_error() {
    let g = Global {
        region: Some("ap-northeast-11".into()),
        cluster: Some("c".into()),
        service: Some("s".into()),
        ..Global::default()
    };
    let e = resolve_with(&g, None, &env_of(&[])).unwrap_err();
    assert!(e.to_string().contains("did you mean ap-northeast-1"), "{e}");
}
