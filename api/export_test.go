package api

// ImportBodyLimit is the largest import file, for the contract tests.
const ImportBodyLimit = importBodyLimit
