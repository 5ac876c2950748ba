// Package auth holds the credentials of invited: access tokens (JWT) that
// authenticate API calls, argon2id password hashes, the password policy that
// people must meet when they choose a password, and the signed activation
// tokens carried by invitation links.
//
// Nothing in this package touches the database or HTTP. Callers decide what a
// verified credential means: a valid access token names an actor, but
// authorization still reads the actor's current row; a valid activation token
// proves that a link was issued by us, but the invite it names must still be
// live.
package auth
