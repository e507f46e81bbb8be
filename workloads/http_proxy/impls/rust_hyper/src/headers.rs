//! The header rewriting a proxy does on top of hyper: hop-by-hop fields out in both directions (RFC 9110
//! section 7.6.1), `X-Forwarded-For` appended. Pure functions over `http::HeaderMap`.

use std::net::IpAddr;

use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};

/// The fields that concern one connection only; every field a `Connection` field names is removed too.
const HOP_BY_HOP: [HeaderName; 8] = [
    header::CONNECTION,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::PROXY_AUTHORIZATION,
];

/// Removes the hop-by-hop fields from `headers` (and `Proxy-Authenticate`, a response's).
pub fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|list| list.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named.iter().chain(&HOP_BY_HOP) {
        headers.remove(name);
    }
    headers.remove(header::PROXY_AUTHENTICATE);
}

/// Appends `client` to the request's `X-Forwarded-For` list (one field, comma-separated), or creates it.
pub fn append_forwarded_for(headers: &mut HeaderMap, client: IpAddr) {
    const FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
    let mut list: Vec<String> = headers
        .get_all(&FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_owned))
        .collect();
    list.push(client.to_string());
    if let Ok(value) = HeaderValue::from_str(&list.join(", ")) {
        headers.insert(FORWARDED_FOR, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(fields: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in fields {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn hop_by_hop_fields_and_those_connection_names_go() {
        let mut map = headers(&[
            ("connection", "close, X-Drop"),
            ("keep-alive", "timeout=5"),
            ("x-drop", "1"),
            ("te", "trailers"),
            ("x-keep", "1"),
            ("host", "a"),
        ]);
        remove_hop_by_hop(&mut map);
        let left: Vec<&str> = map.keys().map(HeaderName::as_str).collect();
        assert_eq!(left, ["x-keep", "host"]);
    }

    #[test]
    fn x_forwarded_for_is_appended_to_or_created() {
        let mut map = headers(&[
            ("x-forwarded-for", "192.0.2.1"),
            ("x-forwarded-for", "192.0.2.2"),
        ]);
        append_forwarded_for(&mut map, "10.0.0.3".parse().unwrap());
        assert_eq!(map["x-forwarded-for"], "192.0.2.1, 192.0.2.2, 10.0.0.3");
        let mut empty = HeaderMap::new();
        append_forwarded_for(&mut empty, "::1".parse().unwrap());
        assert_eq!(empty["x-forwarded-for"], "::1");
    }
}
