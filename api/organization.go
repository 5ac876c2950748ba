package api

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/invitedhq/invited/internal/people"
)

// Organization is the caller's organization and its settings.
type Organization struct {
	ID   uuid.UUID `json:"id" format:"uuid" example:"01a21560-1a2b-7c3d-8e4f-5a6b7c8d9e0f"`
	Slug string    `json:"slug" example:"demo"`
	Name string    `json:"name" example:"Demo Learning Co"`
	// InviteTTL is how long an invitation link lives unless expires_in says otherwise, in hours.
	InviteTTL int `json:"invite_ttl" minimum:"24" maximum:"720" example:"168"`
	// DefaultLocale is the language of people added without one, and of the
	// emails of people whose language has none.
	DefaultLocale string `json:"default_locale" enums:"en,de,es,fr,nl,pt-BR" example:"en"`
	// TimeZone is the IANA time zone in which emails show dates.
	TimeZone  string    `json:"time_zone" example:"Europe/Berlin"`
	CreatedAt time.Time `json:"created_at" format:"date-time" example:"2026-11-01T09:00:00Z"`
	UpdatedAt time.Time `json:"updated_at" format:"date-time" example:"2026-11-24T16:05:12Z"`
}

func organizationView(o people.Organization) Organization {
	return Organization{ID: o.ID, Slug: o.Slug, Name: o.Name, InviteTTL: int(o.InviteTTL / time.Hour),
		DefaultLocale: o.DefaultLocale, TimeZone: o.TimeZone, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
}

// getOrganization godoc
//
//	@Summary		Get the organization's settings
//	@Description	The caller's organization: its name, the default lifetime of invitation links, the default language of people and emails, and the time zone in which emails show dates.
//	@ID				getOrganization
//	@Tags			Organization
//	@Security		BearerAuth
//	@Produce		json
//	@Success		200	{object}	Organization	"The organization"
//	@Failure		401	{object}	Problem			"unauthorized"
//	@Failure		403	{object}	Problem			"forbidden"
//	@Router			/organization [get]
func (s *Server) getOrganization(c echo.Context) error {
	org, err := s.svc.GetOrganization(c.Request().Context(), actorOf(c))
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, organizationView(org))
}

// UpdateOrganizationRequest changes some settings; absent fields stay.
type UpdateOrganizationRequest struct {
	Name *string `json:"name" minLength:"1" maxLength:"200" example:"Demo Learning Co" validate:"optional"`
	// InviteTTL is the default lifetime of invitation links, in hours (1 to 30 days).
	InviteTTL *int `json:"invite_ttl" minimum:"24" maximum:"720" example:"336" validate:"optional"`
	// DefaultLocale must be a language with invitation emails.
	DefaultLocale *string `json:"default_locale" enums:"en,de,es,fr,nl,pt-BR" example:"de" validate:"optional"`
	// TimeZone is an IANA time zone name.
	TimeZone *string `json:"time_zone" maxLength:"64" example:"Europe/Berlin" validate:"optional"`
}

// updateOrganization godoc
//
//	@Summary		Change the organization's settings
//	@Description	Owners and admins change the organization's name, the default lifetime of invitation links (invitations already sent keep theirs), the default language (people added from now on get it unless they are given their own, and it is where the emails of people whose language has no email fall back) and the time zone of dates in emails. The change is audited as organization.updated with the old and new values.
//	@ID				updateOrganization
//	@Tags			Organization
//	@Security		BearerAuth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		UpdateOrganizationRequest	true	"Settings to change"
//	@Success		200		{object}	Organization				"The organization, changed"
//	@Failure		400		{object}	Problem						"invalid_request: a value out of range, a language without emails, an unknown time zone (errors lists each)"
//	@Failure		401		{object}	Problem						"unauthorized"
//	@Failure		403		{object}	Problem						"forbidden: only owners and admins change settings"
//	@Failure		413		{object}	Problem						"payload_too_large"
//	@Failure		415		{object}	Problem						"unsupported_media_type"
//	@Router			/organization [patch]
func (s *Server) updateOrganization(c echo.Context) error {
	var req UpdateOrganizationRequest
	if _, err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := people.OrganizationPatch{Name: req.Name, DefaultLocale: req.DefaultLocale, TimeZone: req.TimeZone}
	if req.InviteTTL != nil {
		p.InviteTTL = new(time.Duration(*req.InviteTTL) * time.Hour)
	}
	org, err := s.svc.UpdateOrganization(c.Request().Context(), actorOf(c), p)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, organizationView(org))
}
