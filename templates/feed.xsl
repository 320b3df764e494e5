<?xml version="1.0" encoding="UTF-8"?>
<!-- feeds: turns an RSS 2.0 or Atom 1.0 feed into a readable page for people who click a
     feed link. Browsers without XSLT use feed.css on the XML instead (the feed names both). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:media="http://search.yahoo.com/mrss/"
    exclude-result-prefixes="atom media">
  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="css">
    <xsl:for-each select="/processing-instruction('xml-stylesheet')[contains(., 'text/css')]">
      <xsl:value-of select="substring-before(substring-after(., 'href=&quot;'), '&quot;')"/>
    </xsl:for-each>
  </xsl:variable>

  <xsl:template match="/">
    <html>
      <xsl:attribute name="lang">
        <xsl:value-of select="rss/channel/language | atom:feed/@xml:lang"/>
      </xsl:attribute>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="rss/channel/title | atom:feed/atom:title"/></title>
        <xsl:if test="string($css)">
          <link rel="stylesheet" href="{$css}"/>
        </xsl:if>
      </head>
      <body>
        <main class="feed-page">
          <p class="notice">This is a web feed. Copy its address into your feed reader to
            subscribe: <code><xsl:value-of
            select="rss/channel/atom:link[@rel='self']/@href | atom:feed/atom:link[@rel='self']/@href"/></code></p>
          <xsl:apply-templates select="rss/channel | atom:feed"/>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="channel">
    <h1><a href="{link}"><xsl:value-of select="title"/></a></h1>
    <p class="description"><xsl:value-of select="description"/></p>
    <xsl:for-each select="item">
      <article>
        <xsl:if test="media:thumbnail/@url">
          <img class="thumb" src="{media:thumbnail/@url}" alt=""/>
        </xsl:if>
        <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
        <time><xsl:value-of select="pubDate"/></time>
        <p><xsl:value-of select="description"/></p>
      </article>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="atom:feed">
    <h1><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h1>
    <p class="description"><xsl:value-of select="atom:subtitle"/></p>
    <xsl:for-each select="atom:entry">
      <article>
        <xsl:if test="media:thumbnail/@url">
          <img class="thumb" src="{media:thumbnail/@url}" alt=""/>
        </xsl:if>
        <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
        <time><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
        <p><xsl:value-of select="atom:summary"/></p>
      </article>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
