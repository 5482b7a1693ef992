package stampede

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done, returning ctx's error then. The
// engine's waits and the page's use it, so a cancelled run or a closed
// page never leaves a timer behind a wait.
func Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }
