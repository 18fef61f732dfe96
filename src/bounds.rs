//! Bounded evaluation: what keeps one rule from looping or exploding
//! without end.
//!
//! - Time: regorus's cooperative execution timer stops a query that runs
//!   longer than its limit ([`timer`]); [`is_time_limit`] recognises the
//!   error so that evaluation can name the rule.
//! - Size: three builtins build their whole result in one step, where the
//!   timer cannot interrupt them: `numbers.range` reserves memory for every
//!   element first (`numbers.range(1, 1e15)` aborts the process),
//!   `numbers.range_step` likewise, and `net.cidr_expand("::/0")` would
//!   enumerate 2^128 addresses. [`guard_builtins`] replaces them, as regorus
//!   extensions (looked up before builtins), by the same functions with a
//!   cap on the number of elements. Results within the cap are identical.
//! - Panics: some inputs make regorus itself panic (`sprintf("%½d", [1])`
//!   reaches an `expect` in its format parser). [`contain`] runs a call into
//!   regorus so that a panic becomes an error, and keeps the panic hook
//!   from printing it meanwhile (the error says it instead).

use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;
use std::panic::AssertUnwindSafe;
use std::sync::Once;
use std::time::Duration;

use anyhow::{Result, bail};
use regorus::Value;

/// Work units (loop iterations, calls) between two reads of the clock: a
/// clock read costs tens of nanoseconds, a work unit about a microsecond.
const CHECK_INTERVAL: u32 = 64;

/// The timer configuration for a query that may run `limit`.
pub fn timer(limit: Duration) -> regorus::utils::limits::ExecutionTimerConfig {
    regorus::utils::limits::ExecutionTimerConfig {
        limit,
        check_interval: NonZeroU32::new(CHECK_INTERVAL).unwrap_or(NonZeroU32::MIN),
    }
}

/// Whether an evaluation error is regorus's time limit.
pub fn is_time_limit(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<regorus::LimitError>(),
            Some(regorus::LimitError::TimeLimitExceeded { .. })
        )
    })
}

thread_local! {
    /// Whether this thread is inside [`contain`].
    static CONTAINING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `call` (a call into regorus); a panic inside it is returned as its
/// message instead of unwinding further. Every regorus query starts from a
/// clean evaluation state (and its caches lock with `parking_lot`, which
/// does not poison), so after a panic in a worker's shared query its rules
/// are evaluated again one at a time, and the one that panics is named.
pub fn contain<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CONTAINING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = CONTAINING.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(call));
    CONTAINING.with(|c| c.set(was));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        format!("internal error of the policy engine (regorus): {message}")
    })
}

/// Replaces the unbounded builtins of `engine` by capped ones.
pub fn guard_builtins(engine: &mut regorus::Engine, max_elements: u64) -> Result<()> {
    engine.add_extension(
        "numbers.range".to_string(),
        2,
        Box::new(move |args: Vec<Value>| range(&args, max_elements)),
    )?;
    engine.add_extension(
        "numbers.range_step".to_string(),
        3,
        Box::new(move |args: Vec<Value>| range_step(&args, max_elements)),
    )?;
    engine.add_extension(
        "net.cidr_expand".to_string(),
        1,
        Box::new(move |args: Vec<Value>| cidr_expand(&args, max_elements)),
    )?;
    Ok(())
}

fn too_many(call: &str, count: u128, max: u64) -> anyhow::Error {
    anyhow::anyhow!(
        "{call} would produce {count} elements, more than the {max} allowed (`[evaluation] max_generated_elements`)"
    )
}

/// An integer argument, as regorus's strict builtins demand it.
fn integer(name: &str, value: &Value) -> Result<i128> {
    let Value::Number(number) = value else {
        bail!("`{name}` expects numeric argument. Got `{value}` instead");
    };
    if !number.is_integer() {
        bail!("`{name}`: operand must be integer");
    }
    match number.as_i128() {
        Some(n) => Ok(n),
        None => bail!("`{name}`: could not determine number of elements"),
    }
}

fn array(values: impl Iterator<Item = i128>) -> Value {
    Value::from(values.map(Value::from).collect::<Vec<Value>>())
}

/// `numbers.range(a, b)`: the integers from `a` to `b`, both included,
/// descending when `b < a`.
fn range(args: &[Value], max: u64) -> Result<Value> {
    let name = "numbers.range";
    let (a, b) = (integer(name, &args[0])?, integer(name, &args[1])?);
    let count = a.abs_diff(b) + 1;
    if count > u128::from(max) {
        return Err(too_many(&format!("numbers.range({a}, {b})"), count, max));
    }
    let step: i128 = if b >= a { 1 } else { -1 };
    Ok(array((0..count as i128).map(|i| a + step * i)))
}

/// `numbers.range_step(a, b, step)`: from `a` towards `b` by `step` (a
/// positive integer), `b` included when reached.
fn range_step(args: &[Value], max: u64) -> Result<Value> {
    let name = "numbers.range_step";
    let (a, b) = (integer(name, &args[0])?, integer(name, &args[1])?);
    let step = match integer(name, &args[2]) {
        Ok(step) if step > 0 => step,
        _ => bail!("`{name}`: step must be a positive integer"),
    };
    let count = a.abs_diff(b) / step.unsigned_abs() + 1;
    if count > u128::from(max) {
        return Err(too_many(
            &format!("numbers.range_step({a}, {b}, {step})"),
            count,
            max,
        ));
    }
    let step = if b >= a { step } else { -step };
    Ok(array((0..count as i128).map(|i| a + step * i)))
}

/// `net.cidr_expand(cidr)`: every address of the network, in order, as
/// strings (OPA's semantics: network and broadcast addresses included).
fn cidr_expand(args: &[Value], max: u64) -> Result<Value> {
    let Value::String(cidr) = &args[0] else {
        bail!(
            "`cidr_expand` expects string argument. Got `{}` instead",
            args[0]
        );
    };
    let parsed = cidr.split_once('/').and_then(|(addr, prefix)| {
        let addr: IpAddr = addr.parse().ok()?;
        let prefix: u32 = prefix.parse().ok()?;
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= bits).then(|| (addr, bits - prefix))
    });
    let Some((addr, host_bits)) = parsed else {
        bail!("Error parsing {cidr}: invalid IP network");
    };
    let count: u128 = 1u128.checked_shl(host_bits).unwrap_or(u128::MAX);
    if host_bits >= 128 || count > u128::from(max) {
        return Err(too_many(&format!("net.cidr_expand({cidr:?})"), count, max));
    }
    let hosts: Vec<Value> = match addr {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(host_bits).unwrap_or(0);
            let network = u32::from(v4) & mask;
            (0..count as u32)
                .map(|i| Value::String(Ipv4Addr::from(network + i).to_string().into()))
                .collect()
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
            let network = u128::from(v6) & mask;
            (0..count)
                .map(|i| Value::String(Ipv6Addr::from(network + i).to_string().into()))
                .collect()
        }
    };
    Ok(Value::from(hosts))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An engine with the guards, evaluating `expr` in a rule; the builtin
    /// result of the same expression from an unguarded engine is compared
    /// where it is small enough to compute.
    fn eval(expr: &str, guarded: bool) -> std::result::Result<Value, String> {
        let mut engine = regorus::Engine::new();
        engine.set_strict_builtin_errors(true);
        if guarded {
            guard_builtins(&mut engine, 1000).unwrap();
        }
        engine
            .add_policy("t.rego".to_string(), format!("package t\n\nx := {expr}\n"))
            .unwrap();
        engine
            .eval_rule("data.t.x".to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn guarded_builtins_give_the_builtin_results() {
        for expr in [
            "numbers.range(1, 5)",
            "numbers.range(5, 1)",
            "numbers.range(-3, 3)",
            "numbers.range(7, 7)",
            "numbers.range(1, 1e2)",
            "numbers.range(9223372036854775800, 9223372036854775807)",
            "numbers.range_step(1, 10, 3)",
            "numbers.range_step(10, 1, 3)",
            "numbers.range_step(0, 0, 5)",
            "numbers.range_step(-10, 10, 7)",
            "net.cidr_expand(\"10.0.0.5/30\")",
            "net.cidr_expand(\"10.0.0.0/31\")",
            "net.cidr_expand(\"10.0.0.7/32\")",
            "net.cidr_expand(\"192.168.1.0/23\")",
            "net.cidr_expand(\"fd00::/126\")",
            "net.cidr_expand(\"2001:db8::ff/128\")",
            "count([x | some x in numbers.range(1, 1000)])",
        ] {
            assert_eq!(eval(expr, true), eval(expr, false), "{expr}");
        }
    }

    #[test]
    fn guarded_builtins_refuse_what_the_builtins_refuse() {
        for expr in [
            "numbers.range(1.5, 3)",
            "numbers.range(\"a\", 3)",
            "numbers.range_step(1, 3, 0)",
            "numbers.range_step(1, 3, -1)",
            "numbers.range_step(1, 3, 1.5)",
            "net.cidr_expand(\"10.0.0.0\")",
            "net.cidr_expand(\"10.0.0.0/33\")",
            "net.cidr_expand(\"nonsense/8\")",
        ] {
            assert!(eval(expr, false).is_err(), "builtin accepts {expr}");
            assert!(eval(expr, true).is_err(), "guard accepts {expr}");
        }
    }

    #[test]
    fn oversized_results_are_errors_naming_the_limit() {
        for (expr, call) in [
            (
                "numbers.range(1, 1e15)",
                "numbers.range(1, 1000000000000000)",
            ),
            ("numbers.range(1001, 1)", "numbers.range(1001, 1)"),
            (
                "numbers.range_step(0, 1e18, 1)",
                "numbers.range_step(0, 1000000000000000000, 1)",
            ),
            ("net.cidr_expand(\"::/0\")", "net.cidr_expand(\"::/0\")"),
            (
                "net.cidr_expand(\"10.0.0.0/8\")",
                "net.cidr_expand(\"10.0.0.0/8\")",
            ),
        ] {
            let err = eval(expr, true).unwrap_err();
            assert!(err.contains(call), "{expr}: {err}");
            assert!(err.contains("max_generated_elements"), "{expr}: {err}");
            assert!(err.contains("t.rego:3:"), "{expr}: {err}");
        }
        assert!(eval("numbers.range(1, 1000)", true).is_ok());
    }

    #[test]
    fn a_panic_in_the_engine_is_an_error() {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy(
                "t.rego".to_string(),
                "package t\n\nx := sprintf(\"%\u{bd}d\", [1])\n".to_string(),
            )
            .unwrap();
        let err = contain(|| engine.eval_rule("data.t.x".to_string())).unwrap_err();
        assert!(
            err.contains("internal error of the policy engine (regorus): could not get digit"),
            "{err}"
        );
        assert_eq!(contain(|| 1 + 1), Ok(2));
    }

    #[test]
    fn a_loop_is_stopped_by_the_timer() {
        let mut engine = regorus::Engine::new();
        engine.set_execution_timer_config(timer(Duration::from_millis(100)));
        engine
            .add_policy(
                "t.rego".to_string(),
                "package t\n\nx := count([1 | some i in numbers.range(1, 20000); some j in numbers.range(1, 20000)])\n"
                    .to_string(),
            )
            .unwrap();
        let started = std::time::Instant::now();
        let err = engine.eval_rule("data.t.x".to_string()).unwrap_err();
        assert!(is_time_limit(&err), "{err}");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(!is_time_limit(&anyhow::anyhow!("other")));
    }
}
