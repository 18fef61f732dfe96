//! Endpoint URLs of `[scan.region_endpoints]`, checked when the
//! configuration is read: the SDK parses them only when it sends the first
//! call, and a URL it cannot use then turns every call of the region into
//! an error, so a typo would give a scan of unknowns.

/// Checks an endpoint URL: `http://` or `https://`, a host (a DNS name, an
/// IPv4 address or a bracketed IPv6 address), an optional port (1 to
/// 65535) and an optional path; no user name or password, query or
/// fragment. The message says what is wrong (it follows the quoted URL).
pub fn check(url: &str) -> Result<(), String> {
    if let Some((_, rest)) = url.split_once("://")
        && (rest.is_empty() || rest.starts_with(['/', '?', '#']))
    {
        return Err("has no host".to_string());
    }
    let uri: http::Uri = url
        .parse()
        .map_err(|err| format!("is not a valid URL ({err})"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err("must start with http:// or https://".to_string()),
    }
    // http::Uri drops a fragment silently.
    if url.contains('#') {
        return Err("must not have a fragment (#...)".to_string());
    }
    if uri.query().is_some() {
        return Err("must not have a query (?...)".to_string());
    }
    let Some(authority) = uri.authority() else {
        return Err("has no host".to_string());
    };
    let authority = authority.as_str();
    if authority.contains('@') {
        return Err("must not hold a user name or password".to_string());
    }
    let (host, port) = split_host_port(authority)?;
    check_host(host)?;
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(n) if n > 0 && port.chars().all(|c| c.is_ascii_digit()) => {}
            _ => return Err(format!("has an invalid port {port:?} (1 to 65535)")),
        }
    }
    Ok(())
}

/// `host[:port]` or `[v6]:port`.
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), String> {
    if let Some(rest) = authority.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err("has an unclosed [ in its host".to_string());
        };
        let host = &authority[..end + 2];
        let after = &rest[end + 1..];
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(format!("has {after:?} after its host")),
        };
    }
    match authority.split_once(':') {
        Some((host, port)) => Ok((host, Some(port))),
        None => Ok((authority, None)),
    }
}

fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("has no host".to_string());
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return match inner.parse::<std::net::Ipv6Addr>() {
            Ok(_) => Ok(()),
            Err(_) => Err(format!("has an invalid IPv6 address [{inner}]")),
        };
    }
    let name = host.strip_suffix('.').unwrap_or(host);
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if name.len() <= 253 && name.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(format!("has an invalid host name {host:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_emulators_and_proxies_use() {
        for url in [
            "http://localhost:4566",
            "http://127.0.0.1:5000/",
            "https://dynamodb.eu-west-1.amazonaws.com",
            "https://proxy.corp.example:8443/aws/",
            "http://[::1]:4566",
            "http://[fd00::1]",
            "http://moto_server:5000",
            "HTTP://LOCALHOST:4566",
        ] {
            assert_eq!(check(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn refuses_what_the_sdk_cannot_use() {
        for (url, why) in [
            ("http://[::1", "not a valid URL"),
            ("http://", "has no host"),
            ("http:///path", "has no host"),
            ("ftp://", "has no host"),
            ("ftp://127.0.0.1", "http:// or https://"),
            ("localhost:4566", "http:// or https://"),
            ("127.0.0.1", "http:// or https://"),
            ("http://127.0.0.1:70000", "invalid port"),
            ("http://127.0.0.1:0", "invalid port"),
            ("http://127.0.0.1:", "invalid port"),
            ("http://host:80:80", "not a valid URL"),
            ("http://[::1]x:80", "after its host"),
            ("http://[zz::1]:80", "invalid IPv6"),
            ("http://local host:4566", "not a valid URL"),
            ("http://-bad-.example", "invalid host name"),
            ("http://a..b", "invalid host name"),
            ("http://user:secret@localhost:4566", "user name or password"),
            ("https://proxy.example:8443/?token=x", "query"),
            ("https://proxy.example/#x", "fragment"),
            (" http://localhost:4566", "not a valid URL"),
        ] {
            match check(url) {
                Ok(()) => panic!("{url} accepted"),
                Err(err) => assert!(err.contains(why), "{url}: {err}"),
            }
        }
    }
}
