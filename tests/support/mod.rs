//! Shared support of the integration tests (`mod support;`).
#![allow(dead_code)]

pub mod cloudformation;
pub mod estate;
pub mod fault_proxy;
pub mod moto;
pub mod org_run;
pub mod organization;
pub mod sarif;
pub mod seed;
pub mod snapshot_text;
