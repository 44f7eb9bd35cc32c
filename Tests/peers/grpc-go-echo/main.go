// grpc-go-echo: a grpc-go server with its default transport settings (BDP pings, default flow-control windows,
// RST_STREAM(NO_ERROR) after replies that finish before the request does), for Portico's GenericCall tests.
// No generated code: every method is served by one UnknownServiceHandler over a raw-bytes codec.
//
//	grpc-go-echo [-max-connection-age 0s]
//	grpc-go-echo -load HOST:PORT -path /pkg.Service/Method [-calls 20000] [-concurrency 64] [-connections 1]
//
// Prints "PORT <n>" once listening on 127.0.0.1. With -load it is instead a client: it sends empty requests to
// the path from `concurrency` goroutines and prints "calls N failures F seconds S" (used to measure what a
// server spends per call, with a client that is not ours). Methods (any service name):
//
//	.../Echo    reads one message; replies with it repeated to x-reply-size bytes (default: the message itself).
//	            Headers x-echo-<key> for each request metadata key starting with "x-"; trailer x-deadline-ms
//	            (the deadline the server saw, or -1).
//	.../Early   replies x-reply-size bytes (the byte i is i % 251) at once, without reading the request, then OK:
//	            grpc-go follows the trailers with RST_STREAM(NO_ERROR) when the request has not ended yet.
//	.../Stream  reads one message; sends it x-count times (default 3).
//	.../Status  reads one message; fails with the code in x-status and the message in x-message.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// rawCodec passes message bytes through untouched.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (rawCodec) String() string { return "proto" }
func (rawCodec) Name() string   { return "proto" }

func number(md metadata.MD, key string, fallback int) int {
	if values := md.Get(key); len(values) > 0 {
		if n, err := strconv.Atoi(values[0]); err == nil {
			return n
		}
	}
	return fallback
}

func repeated(message []byte, size int) []byte {
	if size < 0 || len(message) == 0 {
		return message
	}
	reply := make([]byte, size)
	for i := range reply {
		reply[i] = message[i%len(message)]
	}
	return reply
}

func handle(_ interface{}, stream grpc.ServerStream) error {
	method, _ := grpc.MethodFromServerStream(stream)
	md, _ := metadata.FromIncomingContext(stream.Context())
	name := method[strings.LastIndex(method, "/")+1:]
	if name == "Early" {
		size := number(md, "x-reply-size", 0)
		reply := make([]byte, size)
		for i := range reply {
			reply[i] = byte(i % 251)
		}
		return stream.SendMsg(&reply)
	}
	var request []byte
	if err := stream.RecvMsg(&request); err != nil {
		return err
	}
	switch name {
	case "Echo":
		echo := metadata.MD{}
		for key, values := range md {
			if strings.HasPrefix(key, "x-") {
				echo.Set("x-echo-"+key, values...)
			}
		}
		deadline := "-1"
		if at, ok := stream.Context().Deadline(); ok {
			deadline = strconv.FormatInt(time.Until(at).Milliseconds(), 10)
		}
		stream.SetTrailer(metadata.Pairs("x-deadline-ms", deadline))
		if err := stream.SendHeader(echo); err != nil {
			return err
		}
		reply := repeated(request, number(md, "x-reply-size", -1))
		return stream.SendMsg(&reply)
	case "Stream":
		for i := 0; i < number(md, "x-count", 3); i++ {
			if err := stream.SendMsg(&request); err != nil {
				return err
			}
		}
		return nil
	case "Status":
		message := ""
		if values := md.Get("x-message"); len(values) > 0 {
			message = values[0]
		}
		return status.Error(codes.Code(number(md, "x-status", 2)), message)
	}
	return status.Errorf(codes.Unimplemented, "unknown method %s", method)
}

// load calls `path` on `address` until `calls` calls are done, `concurrency` at a time over `connections`
// connections.
func load(address, path string, calls, concurrency, connections int) {
	var clients []*grpc.ClientConn
	for i := 0; i < connections; i++ {
		conn, err := grpc.Dial(address, grpc.WithInsecure(), grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{})))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		clients = append(clients, conn)
	}
	var next, failures int64
	var group sync.WaitGroup
	start := time.Now()
	for worker := 0; worker < concurrency; worker++ {
		group.Add(1)
		go func(conn *grpc.ClientConn) {
			defer group.Done()
			request := []byte{}
			for atomic.AddInt64(&next, 1) <= int64(calls) {
				var reply []byte
				if err := conn.Invoke(context.Background(), path, &request, &reply); err != nil {
					atomic.AddInt64(&failures, 1)
				}
			}
		}(clients[worker%connections])
	}
	group.Wait()
	fmt.Printf("calls %d failures %d seconds %.3f\n", calls, failures, time.Since(start).Seconds())
}

func main() {
	maxAge := flag.Duration("max-connection-age", 0, "send GOAWAY to connections older than this (0: never)")
	loadAddress := flag.String("load", "", "be a load client of the server at HOST:PORT instead")
	path := flag.String("path", "/test.Echo/Echo", "the method the load client calls")
	calls := flag.Int("calls", 20000, "calls the load client makes")
	concurrency := flag.Int("concurrency", 64, "calls the load client keeps in flight")
	connections := flag.Int("connections", 1, "connections the load client spreads them over")
	flag.Parse()
	if *loadAddress != "" {
		load(*loadAddress, *path, *calls, *concurrency, *connections)
		return
	}
	options := []grpc.ServerOption{grpc.CustomCodec(rawCodec{}), grpc.UnknownServiceHandler(handle)}
	if *maxAge > 0 {
		options = append(options, grpc.KeepaliveParams(keepalive.ServerParameters{
			MaxConnectionAge: *maxAge, MaxConnectionAgeGrace: 10 * time.Second}))
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("PORT %d\n", listener.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	server := grpc.NewServer(options...)
	if err := server.Serve(listener); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
