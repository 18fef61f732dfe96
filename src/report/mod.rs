//! Report formats: one module per format.
