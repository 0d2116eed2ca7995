//! Item fit.
