package stampede

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Response is what a Fetcher returns and a Store keeps for one URL.
type Response struct {
	URL         string    `json:"url"`
	Status      int       `json:"status"`
	ContentType string    `json:"contentType"`
	Body        []byte    `json:"body"`
	FetchedAt   time.Time `json:"fetchedAt"`
	// FetchedBy names the worker whose network fetch produced the body and
	// RunID the run it belonged to, so a later hit can say who served it.
	FetchedBy string `json:"fetchedBy,omitempty"`
	RunID     string `json:"runId,omitempty"`
	// StoredAt is when the Loader put the response in the store, the
	// moment its time to live counts from; zero for a response that was
	// never stored (a fetch step's). Delta is how long its fetch took,
	// added latency included: what a caller pays to fetch it again, the
	// delta of xfetch's rule. Both are set by the Loader.
	StoredAt time.Time     `json:"storedAt,omitzero"`
	Delta    time.Duration `json:"deltaNs,omitempty"`
}

// Size is the body's length in bytes.
func (r Response) Size() int { return len(r.Body) }

// A Fetcher makes one real network request. Implementations honour ctx by
// aborting the request, return an *HTTPError for a non-2xx status and
// ErrTooLarge for a body over their limit.
type Fetcher interface {
	Fetch(ctx context.Context, url string) (Response, error)
}

// FetcherFunc adapts a function to a Fetcher.
type FetcherFunc func(ctx context.Context, url string) (Response, error)

// Fetch calls f(ctx, url).
func (f FetcherFunc) Fetch(ctx context.Context, url string) (Response, error) { return f(ctx, url) }

// DefaultMaxBody is the body size limit Fetchers apply unless told otherwise.
const DefaultMaxBody = 1 << 20

// DefaultTimeout bounds one network fetch unless Config.Timeout says
// otherwise.
const DefaultTimeout = 30 * time.Second

// ErrTimeout reports a fetch that took longer than the per-fetch timeout.
var ErrTimeout = errors.New("per-fetch timeout")

// ErrTooLarge reports a response body over the Fetcher's size limit.
var ErrTooLarge = errors.New("response body too large")

// HTTPError reports a response whose status is not 2xx.
type HTTPError struct {
	URL    string
	Status int
	Text   string // status text, when the transport gives one
}

func (e *HTTPError) Error() string {
	if e.Text != "" {
		return fmt.Sprintf("GET %s: HTTP %d %s", e.URL, e.Status, e.Text)
	}
	return fmt.Sprintf("GET %s: HTTP %d", e.URL, e.Status)
}

// safeFetch calls f.Fetch and turns a panic into an error, so a broken
// Fetcher fails one request instead of the whole page.
func safeFetch(ctx context.Context, f Fetcher, url string) (r Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fetcher panicked: %v", p)
		}
	}()
	return f.Fetch(ctx, url)
}
