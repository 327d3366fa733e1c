package slack

import (
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/stdlib/builtin"
	"github.com/wf-lang/wf/stdlib/httpx"
)

// This file declares the WF `slack` module over Post and Message.

// Provider is what a run's environment provides for the slack module.
type Provider interface {
	// HTTP returns the client messages are sent through; nil when none is
	// configured.
	HTTP() *httpx.Client
	// SlackBot returns the bot token and API root slack.message uses.
	SlackBot() BotConfig
}

// Module returns the slack module.
func Module() *builtin.Module {
	return &builtin.Module{
		Name: "slack",
		Doc: "Messages to Slack, each a recorded step: through an incoming webhook (slack.post) or as the " +
			"configured bot (slack.message). blocks are Block Kit blocks, written as WF maps. A rate-limited " +
			"message (429) is retried twice; other failures are not retried, since the message may have " +
			"been posted. Webhook URLs and tokens are secrets: they never appear in errors or records.",
		Builtins: []*interp.Builtin{
			builtin.Action("slack.post(webhook_url: string, text: string, blocks: list?) -> map",
				"Posts text (and blocks) to a Slack incoming webhook and returns {ok: true}. Keep the webhook "+
					"URL in a secret. Slack's refusal (such as 404 no_service) fails the step.",
				`run slack.post(secret("SLACK_REVIEW_WEBHOOK"), "Inquiry ${trigger.id} marked for review")`, post),
			builtin.Action("slack.message(channel: string, text: string, blocks: list?) -> map",
				"Posts text (and blocks) to a channel (\"#kyc-alerts\" or an id) as the configured bot, with "+
					"chat.postMessage, and returns {ok, channel, ts}. An answer such as channel_not_found fails the step.",
				`run slack.message("#kyc-alerts", "Case ${c.id} needs a reviewer")`, message),
		},
	}
}

// providerOf returns the run's HTTP client and bot configuration.
func providerOf(th *interp.Thread) (*httpx.Client, BotConfig, error) {
	if p, ok := th.Env().(Provider); ok {
		if c := p.HTTP(); c != nil {
			return c, p.SlackBot(), nil
		}
	}
	return nil, BotConfig{}, interp.Permanent(interp.Errorf(interp.KindValue, "no HTTP client is configured for this run"))
}

func post(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	url, _ := a.String(0)
	th.AddSecret(url)
	text, _ := a.String(1)
	c, _, err := providerOf(th)
	if err != nil {
		return nil, err
	}
	res, err := Post(th.Context(), c, url, text, blocksArg(a, 2))
	if err != nil {
		return nil, err
	}
	return interp.FromGo(res), nil
}

func message(th *interp.Thread, a *interp.Args) (interp.Value, error) {
	channel, _ := a.String(0)
	text, _ := a.String(1)
	c, bot, err := providerOf(th)
	if err != nil {
		return nil, err
	}
	th.AddSecret(bot.Token)
	res, err := Message(th.Context(), c, bot, channel, text, blocksArg(a, 2))
	if err != nil {
		return nil, err
	}
	return interp.FromGo(res), nil
}

// blocksArg reads optional Block Kit blocks as plain Go data.
func blocksArg(a *interp.Args, i int) []any {
	l, ok := a.Value(i).(*interp.List)
	if !ok {
		return nil
	}
	out, _ := interp.ToGo(l).([]any)
	return out
}
