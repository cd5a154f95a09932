// Throwaway module: builds the etcd server (go.etcd.io/etcd/server/v3, package main) from the Go
// module proxy. etcd's own go.mod replaces its sibling modules with ../ paths, which `go install`
// refuses; here they resolve to their published releases of the same version.
module modeldock.invalid/control-plane/etcd

go 1.26.0

require (
	go.etcd.io/etcd/api/v3 v3.6.16
	go.etcd.io/etcd/client/pkg/v3 v3.6.16
	go.etcd.io/etcd/client/v3 v3.6.16
	go.etcd.io/etcd/pkg/v3 v3.6.16
	go.etcd.io/etcd/server/v3 v3.6.16
)
