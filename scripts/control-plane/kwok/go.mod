// Throwaway module: builds sigs.k8s.io/kwok/cmd/kwok from the Go module proxy, with its go.sum
// committed next to this file so the download is verified without reaching sum.golang.org.
module modeldock.invalid/control-plane/kwok

go 1.26.0

require sigs.k8s.io/kwok v0.8.0
