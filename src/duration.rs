//! How long a session is: the half and full days the contract counts.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Duration {
    HalfDay,
    FullDay,
}

impl Duration {
    pub fn as_str(self) -> &'static str {
        match self {
            Duration::HalfDay => "half_day",
            Duration::FullDay => "full_day",
        }
    }
}
