//! Rasch CML.
