// pubsub-fake serves Google's own Pub/Sub fake (cloud.google.com/go/pubsub/v2/pstest) over gRPC on a
// loopback port, for the gcppubsub sink's tests: the Node client reaches it through PUBSUB_EMULATOR_HOST.
// It prints "listening on <addr>" once it serves, and stops on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"cloud.google.com/go/pubsub/v2/pstest"
)

func main() {
	port := flag.Int("port", 0, "loopback port to serve on (0: any free one)")
	flag.Parse()
	srv := pstest.NewServerWithAddress(fmt.Sprintf("127.0.0.1:%d", *port))
	fmt.Printf("listening on %s\n", srv.Addr)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	_ = srv.Close()
}
