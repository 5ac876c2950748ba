package people

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/invitedhq/invited/internal/apperr"
	"github.com/invitedhq/invited/internal/mail"
)

// BulkBatchSize is how many items one batch of a bulk job processes. A
// batch is one transaction, and its new invitations reach the email
// provider in one call, whose limit this is.
const BulkBatchSize = mail.MaxBatch

// RunJobBatch processes the next batch of a job's pending items, in
// position order, in one transaction: it locks the job (so batches of one
// job and its cancellation take turns), locks the batch's users, gives each
// item exactly the effect of the single action, marks the items, updates
// the counters, queues one email job for the batch's invitations and, while
// items remain, the job's next batch. A batch that fails leaves nothing
// behind and is retried whole; a finished or cancelled job is left alone,
// so a batch run twice does nothing the second time.
func (s *Service) RunJobBatch(ctx context.Context, jobID uuid.UUID) (err error) {
	defer apperr.Wrap(&err, "people.RunJobBatch")
	// What this batch processed, counted once it is committed: a batch
	// that rolls back runs again.
	var before, after Job
	defer func() {
		if err == nil {
			kind := string(after.Kind)
			s.metrics.BulkItems(kind, string(ItemSucceeded), after.Succeeded-before.Succeeded)
			s.metrics.BulkItems(kind, string(ItemSkipped), after.Skipped-before.Skipped)
			s.metrics.BulkItems(kind, string(ItemFailed), after.Failed-before.Failed)
		}
	}()
	return s.store.InTx(ctx, func(ctx context.Context) error {
		job, err := s.store.LockJob(ctx, jobID)
		if apperr.Is(err, apperr.NotFound) {
			return nil // its organization was deleted
		}
		if err != nil || job.State.Finished() {
			return err
		}
		before = job
		ctx = WithRequestMeta(ctx, job.Request)
		now := s.now()
		if job.State == JobQueued {
			job.State, job.StartedAt = JobRunning, &now
		}
		job.UpdatedAt = now
		done, err := s.runBatch(ctx, &job, now)
		if err != nil {
			return err
		}
		if done {
			job.settle(now)
		} else if err := s.store.EnqueueJobBatch(ctx, job.ID); err != nil {
			return err
		}
		if err := s.updateJob(ctx, &job); err != nil {
			return err
		}
		after = job
		return nil
	})
}

// updateJob saves a job's progress and, once it has finished, says so
// with a job.finished event.
func (s *Service) updateJob(ctx context.Context, job *Job) error {
	if err := s.store.UpdateJob(ctx, job); err != nil {
		return err
	}
	if !job.State.Finished() {
		return nil
	}
	return s.emit(ctx, pendingEvent{org: job.OrganizationID, typ: EventJobFinished, job: &job.ID})
}

// runBatch processes one batch and reports whether the job has no pending item left.
func (s *Service) runBatch(ctx context.Context, job *Job, now time.Time) (done bool, err error) {
	actor, ok, err := s.jobActor(ctx, *job)
	if err != nil {
		return false, err
	}
	if !ok {
		n, err := s.store.FinishPendingItems(ctx, job.ID, ItemFailed, ItemCreatorRevoked,
			"The user who started the job may no longer manage people.", now)
		job.count(ItemFailed, n)
		return true, err
	}
	items, err := s.store.JobItems(ctx, job.ID, ItemFilter{Outcome: ItemPending, Limit: BulkBatchSize})
	if err != nil || len(items) == 0 {
		return true, err
	}
	org, err := s.store.OrganizationByID(ctx, job.OrganizationID)
	if err != nil {
		return false, err
	}
	box := &outbox{jobID: &job.ID, budget: batchBudget(ctx)}
	var n int
	switch job.Kind {
	case JobBulkResend:
		n, err = s.resendBatch(ctx, actor, org, *job, items, box, now)
	case JobImport:
		n, err = s.importBatch(ctx, actor, org, *job, items, box, now)
	}
	if err != nil {
		return false, err
	}
	items = items[:n] // the rest stay pending for the next batch
	if err := s.store.UpdateJobItems(ctx, items); err != nil {
		return false, err
	}
	for _, it := range items {
		job.count(it.Outcome, 1)
	}
	// One email job per provider call's worth, so that each attempt is
	// one call and a dead replica's share is soon taken over.
	for start := 0; start < len(box.inviteIDs); start += s.dispatch.opts.MaxUnconfirmed {
		if err := s.store.EnqueueInviteBatch(ctx, box.inviteIDs[start:min(start+s.dispatch.opts.MaxUnconfirmed, len(box.inviteIDs))]); err != nil {
			return false, err
		}
	}
	return job.Processed >= job.Total, nil
}

// jobActor is the job's creator as their row stands now: like a request's
// actor, a creator who was deactivated or demoted carries no weight.
func (s *Service) jobActor(ctx context.Context, job Job) (Actor, bool, error) {
	if job.CreatedBy == nil {
		return Actor{}, false, nil
	}
	a, err := s.currentActor(ctx, job.OrganizationID, *job.CreatedBy)
	if apperr.Is(err, apperr.Unauthorized) {
		return Actor{}, false, nil
	}
	if err != nil {
		return Actor{}, false, err
	}
	return a, a.CanManagePeople(), nil
}

// resendBatch resends to each item's user as POST /users/{id}/resend-invite would.
func (s *Service) resendBatch(ctx context.Context, actor Actor, org Organization, job Job, items []JobItem, box *outbox, now time.Time) (int, error) {
	ids := make([]uuid.UUID, len(items))
	for i, it := range items {
		ids[i] = *it.UserID
	}
	users, err := s.store.LockUsers(ctx, org.ID, ids)
	if err != nil {
		return 0, err
	}
	byID := make(map[uuid.UUID]User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	for i := range items {
		if box.spent(i) {
			return i, nil
		}
		it := &items[i]
		u, ok := byID[*it.UserID]
		if !ok {
			it.finish(ItemSkipped, string(apperr.NotFound), "No user of the organization has this id.", now)
			continue
		}
		it.Email = u.Email
		// A newer invitation than the job means someone already re-invited
		// the user since the job was accepted: mailing again would double it.
		if u.LastInvitedAt != nil && u.LastInvitedAt.After(job.CreatedAt) {
			it.finish(ItemSkipped, ItemRecentlyInvited, "The user was sent a newer invitation after this job was accepted.", now)
			continue
		}
		inv, _, err := s.resend(ctx, actor, org, &u, job.Params.inviteOptions(), box)
		if apperr.Is(err, apperr.InsufficientRank) || apperr.Is(err, apperr.InviteNotPending) {
			it.skipFor(err, now)
			continue
		}
		if err != nil {
			return 0, err
		}
		it.InviteID = &inv.ID
		it.finish(ItemSucceeded, "", "", now)
	}
	return len(items), nil
}

// importBatch creates each item's user as POST /users would.
func (s *Service) importBatch(ctx context.Context, actor Actor, org Organization, job Job, items []JobItem, box *outbox, now time.Time) (int, error) {
	emails := make([]string, 0, len(items))
	for _, it := range items {
		if it.Input != nil {
			emails = append(emails, it.Input.Email)
		}
	}
	// Users created since the file was validated are skipped like those that existed.
	existing, err := s.store.UserStatusesByEmail(ctx, org.ID, emails)
	if err != nil {
		return 0, err
	}
	// One lookup per distinct domain of the batch, all within one timeout.
	warnings := s.emailWarnings(ctx, emails...)
	for i := range items {
		if box.spent(i) {
			return i, nil
		}
		it := &items[i]
		if it.Input == nil {
			it.finish(ItemFailed, ItemInvalid, "The row's data is missing.", now)
			continue
		}
		if st, ok := existing[it.Input.Email]; ok {
			existingUser(it, st, now)
			continue
		}
		n, errs := importUser(actor, *it.Input)
		if len(errs) > 0 { // the rules or the importer's rank changed since
			it.Errors = errs
			it.finish(ItemFailed, ItemInvalid, rowMessage(errs), now)
			continue
		}
		n.NoInvite = !job.Params.SendInvites
		n.emailWarnings = warnings[n.Email]
		u, err := s.createUser(ctx, org, &actor.ID, n, box)
		if err != nil {
			return 0, err
		}
		it.UserID = &u.ID
		if u.Invite != nil {
			it.InviteID = &u.Invite.ID
		}
		it.finish(ItemSucceeded, "", "", now)
	}
	return len(items), nil
}

// batchBudget is when a batch stops taking on more items: halfway to its
// job's deadline, so that a slow database (a loaded machine, a large
// organization) makes batches smaller instead of timing them out over and
// over. Zero (no deadline) means never.
func batchBudget(ctx context.Context) time.Time {
	deadline, ok := ctx.Deadline()
	if !ok {
		return time.Time{}
	}
	now := time.Now()
	return now.Add(deadline.Sub(now) / 2)
}
