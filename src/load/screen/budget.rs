//! The allowance every format's rule starts from, and what its refusals say.

/// What any workbook may make calamine build beyond what its content
/// accounts for, in cells (a `calamine::Data` is 32 bytes; an xls cell
/// waiting to be placed is 40, a shared string 24): about 32 MB, half the
/// 64 MiB the robustness test allows any load. It lets a legitimately sparse
/// layout through (a gap of thousands of empty rows, a note typed in a
/// sheet's last row). Past it, each format's own rule asks that what calamine
/// builds follows what the file holds.
pub(super) const FIXED_CELLS: u64 = 1_000_000;

/// What to do with a sheet that really is laid out that way.
pub(super) const STRAY: &str = "if the sheet really spans that much, delete any stray cells far from its data, \
                     or save it as CSV";

/// A number with thousands separators, for messages.
pub(super) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
