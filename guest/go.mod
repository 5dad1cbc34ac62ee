module github.com/pyro-mcp/pyro/guest

go 1.26.0

require (
	github.com/creack/pty v1.1.24
	github.com/vishvananda/netlink v1.3.1
	golang.org/x/net v0.62.0
	golang.org/x/sys v0.50.0
)

require (
	github.com/vishvananda/netns v0.0.5 // indirect
	golang.org/x/text v0.43.0 // indirect
)
