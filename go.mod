module github.com/invitedhq/invited

go 1.26.0
