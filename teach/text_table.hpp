#pragma once
// Plain-text layout for the teaching commands (gradcheck, explain): aligned tables, and labeled matrices
// split into column blocks that fit a terminal of a given width. ASCII only, so that columns line up in any
// terminal.
#include <string>
#include <vector>

namespace minicnn {

// A table: the first row is the header. align has one letter per column, 'l' or 'r'. Columns are separated
// by two spaces; every line is indented by `indent` spaces and has no trailing spaces.
std::string format_table(const std::vector<std::vector<std::string>>& rows, const std::string& align, int indent = 0);

// A matrix of cells (row-major, row_labels.size() x col_labels.size()), right-aligned under its column
// labels, each row after its label. Columns that do not fit in `width` go to further blocks below, each
// repeating the row labels and introduced by "columns A-B of C:".
std::string format_matrix(const std::vector<std::string>& row_labels, const std::vector<std::string>& col_labels,
                          const std::vector<std::string>& cells, int indent = 2, int width = 100);

// A number as the explain commands print it: an integer without decimals (-0 as 0), anything else rounded
// to `decimals` decimals, without trailing zeros.
std::string number_text(double value, int decimals = 4);

// A difference between two results as the checks print it: "0" when they agree exactly, else like "4.4e-16".
std::string difference_text(double difference);

}  // namespace minicnn
